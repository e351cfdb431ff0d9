// NEXT_PUBLIC_ variables are inlined by `next build`: set NEXT_PUBLIC_API_BASE when building.
export const API_BASE = (process.env.NEXT_PUBLIC_API_BASE || "http://localhost:4000").replace(/\/+$/, "");

export const LANGS = ["fr", "en"] as const;
export type Lang = (typeof LANGS)[number];

/** The language when neither a cookie, `?lang=` nor Accept-Language chooses one (DEFAULT_LOCALE of the API). */
export const DEFAULT_LANG: Lang = process.env.NEXT_PUBLIC_DEFAULT_LOCALE === "en" ? "en" : "fr";

export const LANG_COOKIE = "lang";

export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGS as readonly string[]).includes(value);
}

/** The request header by which middleware.ts tells the layout the chosen language. */
export const LANG_HEADER = "x-sesame-lang";
