"use client";
// /auth/finish: where a sign-in lands. A provider's callback sends ?from=social&provider=<name>
// (&linked=true after a link, &redirect=/path when one was asked); the HTML-form login sends
// ?from=local&complete=false, or ?from=social&providers=google for an account without a
// password. A re-authentication through a provider (?reauth=true) comes back here too; when it
// failed (&error=reauth_failed) the person is still signed in: back to the page that asked.
// Signed in: /auth/me (falling back to /auth/refresh once), then /complete-profile
// while requiredActions asks for something, else the dashboard (or the page asked for).
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import { ProviderButtons, displayName, useProviders } from "@/components/ProviderButtons";
import { Alert, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { nextPage, safeRedirect } from "@/lib/paths";
import { currentUser } from "@/lib/session";

type Props = { error?: string; providers?: string; provider?: string; linked?: string; reauth?: string; redirect?: string };

export function FinishView({ error, providers, provider, linked, reauth, redirect }: Props) {
  const { t, tError } = useI18n();
  const router = useRouter();
  const offered = useProviders();
  const [failed, setFailed] = useState<string | null>(null);
  const started = useRef(false);
  const socialOnly = providers ? providers.split(",").filter(Boolean) : null;

  useEffect(() => {
    if (error || providers || started.current) return;
    started.current = true; // once, even when React runs effects twice in development
    currentUser()
      .then((user) => {
        if (!user) return setFailed("finish");
        if (linked === "true") {
          const back = safeRedirect(redirect) ?? "/account";
          return router.replace(back === "/dashboard" && provider ? `/dashboard?linked=${provider}` : back);
        }
        router.replace(nextPage(user.requiredActions, redirect));
      })
      .catch(() => setFailed("network"));
  }, [error, providers, linked, provider, redirect, router]);

  if (socialOnly) {
    const names = socialOnly.map((name) => displayName(offered, name)).join(", ");
    return (
      <section className="card narrow">
        <h1>{t("finish.socialTitle")}</h1>
        <Alert><p>{t("finish.socialOnly", { providers: names })}</p></Alert>
        <ProviderButtons only={socialOnly} />
        <p className="footer-links">
          <Link href="/forgot-password">{t("common.forgot")}</Link>
        </p>
      </section>
    );
  }

  const problem = error ? tError(error) : failed === "finish" ? t("finish.failed") : failed ? tError(failed) : null;
  return (
    <section className="card narrow">
      <h1>{t("finish.title")}</h1>
      {problem ? (
        <>
          <Alert><p>{problem}</p></Alert>
          {reauth === "true" && error ? (
            <Link href={safeRedirect(redirect) ?? "/account"} className="button">{t("common.account")}</Link>
          ) : (
            <Link href="/login" className="button">{t("common.signIn")}</Link>
          )}
        </>
      ) : (
        <Status>{t("finish.working")}</Status>
      )}
    </section>
  );
}
