// Chooses the page's language once per request: ?lang= (remembered in the lang cookie), else
// the cookie, else the browser's Accept-Language, else DEFAULT_LANG. The layout reads it.
import { NextResponse, type NextRequest } from "next/server";

import { DEFAULT_LANG, LANG_COOKIE, LANG_HEADER, isLang, type Lang } from "@/lib/config";



function fromAcceptLanguage(header: string | null): Lang | null {
  for (const part of (header ?? "").split(",")) {
    const code = part.split(";")[0].trim().slice(0, 2).toLowerCase();
    if (isLang(code)) return code;
  }
  return null;
}

export function middleware(request: NextRequest) {
  const asked = request.nextUrl.searchParams.get("lang");
  const cookie = request.cookies.get(LANG_COOKIE)?.value;
  const lang: Lang = isLang(asked)
    ? asked
    : isLang(cookie)
      ? cookie
      : (fromAcceptLanguage(request.headers.get("accept-language")) ?? DEFAULT_LANG);
  const headers = new Headers(request.headers);
  headers.set(LANG_HEADER, lang);
  const response = NextResponse.next({ request: { headers } });
  if (isLang(asked)) {
    response.cookies.set(LANG_COOKIE, asked, { path: "/", maxAge: 31536000, sameSite: "lax" });
  }
  return response;
}

export const config = { matcher: ["/((?!_next/|favicon.ico).*)"] };
