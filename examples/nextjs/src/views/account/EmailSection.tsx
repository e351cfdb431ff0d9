"use client";
import { useState } from "react";

import { authed } from "@/api/call";
import { api, type User } from "@/api/client";
import { FailureAlert, Field, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { useFresh } from "@/lib/reauth";
import { Section, useAction } from "./Section";

export function EmailSection({ user }: { user: User }) {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const change = useAction();
  const resend = useAction();
  const fresh = useFresh(); // without a password, changing the email needs a recent sign-in

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const body = user.hasPassword ? { email, password } : { email };
    const ok = await change.run(() => fresh(() => api.POST("/auth/email/change", { body })),
      () => t("account.emailSent", { email }));
    if (ok) setPassword("");
  }

  return (
    <Section title={t("account.email")}>
      <p>
        {user.email
          ? t("account.currentEmail", {
              email: user.email,
              state: t(user.emailVerified ? "dashboard.verified" : "dashboard.unverified"),
            })
          : t("account.noEmail")}
      </p>
      {user.email && !user.emailVerified && (
        <div className="actions">
          <FailureAlert failure={resend.failure} />
          <Status>{resend.done}</Status>
          <button type="button" className="secondary" disabled={resend.busy}
            onClick={() => resend.run(() => authed(() => api.POST("/auth/verify-email/request")), () => t("profile.resent"))}>
            {t("profile.resend")}
          </button>
        </div>
      )}
      <FailureAlert failure={change.failure} />
      <Status>{change.done}</Status>
      <form onSubmit={submit} noValidate>
        <Field label={t("account.newEmail")} name="email" type="email" autoComplete="email" required
          value={email} onChange={(e) => setEmail(e.target.value)} />
        {user.hasPassword && (
          <Field label={t("account.yourPassword")} name="password" type="password" autoComplete="current-password"
            required value={password} onChange={(e) => setPassword(e.target.value)} />
        )}
        <button type="submit" disabled={change.busy}>{t("account.changeEmail")}</button>
      </form>
    </Section>
  );
}
