"use client";
// /verify-email?token=...: the mailed confirmation link (of a sign-up or an email change).
// The token is posted as soon as the page opens; no session is needed (another device works).
import Link from "next/link";
import { useEffect, useRef, useState } from "react";

import { call, type Failure } from "@/api/call";
import { api } from "@/api/client";
import { Alert, FailureAlert, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";

export function VerifyEmailView({ token }: { token?: string }) {
  const { t, tError } = useI18n();
  const [email, setEmail] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const posted = useRef(false);

  useEffect(() => {
    if (!token || posted.current) return;
    posted.current = true; // a link is single use: post it once, even in React's dev double effects
    void call(() => api.POST("/auth/verify-email", { body: { token } })).then((result) => {
      if (result.ok) setEmail(result.data.user.email ?? "");
      else setFailure(result.failure);
    });
  }, [token]);

  return (
    <section className="card narrow">
      <h1>{t("verifyEmail.title")}</h1>
      {!token ? (
        <Alert><p>{tError("missing_token")}</p></Alert>
      ) : failure ? (
        <FailureAlert failure={failure} />
      ) : email !== null ? (
        <>
          <Status>{t("verifyEmail.done", { email })}</Status>
          <p><Link href="/dashboard" className="button">{t("common.continue")}</Link></p>
        </>
      ) : (
        <p role="status" className="status muted">{t("verifyEmail.working")}</p>
      )}
    </section>
  );
}
