"use client";
// The page's language: chosen on the server (middleware.ts: ?lang=, the lang cookie,
// Accept-Language, DEFAULT_LANG), switched here by the header's button (kept in the cookie).
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";

import type { FieldProblem } from "@/api/call";
import { setApiLanguage } from "@/api/client";
import { LANG_COOKIE, type Lang } from "./config";
import { describeField } from "./fieldErrors";
import { MESSAGES, errorKey, type MessageKey } from "./messages";

type Values = Record<string, string | number>;
type Translate = (key: MessageKey, values?: Values) => string;
type I18n = {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
  tError: (code: string) => string;
  tField: (problem: FieldProblem) => string; // an invalid_request's field, in words
};

const I18nContext = createContext<I18n | null>(null);

function format(text: string, values?: Values): string {
  return values ? text.replace(/\{(\w+)\}/g, (all, name: string) => String(values[name] ?? all)) : text;
}

export function LanguageProvider({ initial, children }: { initial: Lang; children: React.ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initial);
  setApiLanguage(lang); // before any child's effect calls the API

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    document.cookie = `${LANG_COOKIE}=${next}; Path=/; Max-Age=31536000; SameSite=Lax`;
    setApiLanguage(next);
    setLangState(next);
  }, []);

  const value = useMemo<I18n>(() => {
    const t: Translate = (key, values) => format(MESSAGES[lang][key], values);
    return { lang, setLang, t, tError: (code) => t(errorKey(code)), tField: (problem) => describeField(problem, t, lang) };
  }, [lang, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error("useI18n outside LanguageProvider");
  return i18n;
}
