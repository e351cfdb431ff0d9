"use client";
import Link from "next/link";

import { useI18n } from "@/lib/i18n";

export function Header() {
  const { lang, setLang, t } = useI18n();
  return (
    <header className="header">
      <Link href="/dashboard" className="brand">
        {t("app.name")}
      </Link>
      <button type="button" className="link-button" lang={lang === "fr" ? "en" : "fr"}
        onClick={() => setLang(lang === "fr" ? "en" : "fr")}>
        {t("lang.switch")}
      </button>
    </header>
  );
}
