import type { Metadata } from "next";
import { headers } from "next/headers";

import { Header } from "@/components/Header";
import { DEFAULT_LANG, LANG_HEADER, isLang } from "@/lib/config";
import { LanguageProvider } from "@/lib/i18n";
import "./globals.css";

export const metadata: Metadata = {
  title: "Sésame",
  description: "Sign-up, sign-in and account pages on the Sésame API",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const chosen = (await headers()).get(LANG_HEADER);
  const lang = isLang(chosen) ? chosen : DEFAULT_LANG;
  return (
    <html lang={lang}>
      <body>
        <LanguageProvider initial={lang}>
          <Header />
          <main className="main">{children}</main>
        </LanguageProvider>
      </body>
    </html>
  );
}
