"use client";
// /verify-phone?phone=...: the WhatsApp code of a password reset gives a resetToken (kept in
// memory, never in the URL), then the new password is chosen on the same page.
import { useState } from "react";

import { call, type Failure } from "@/api/call";
import { api } from "@/api/client";
import { FailureAlert, Field } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { ResetPasswordForm } from "./ResetPasswordForm";

export function VerifyPhoneView({ phone: initialPhone }: { phone?: string }) {
  const { t } = useI18n();
  const [phone, setPhone] = useState(initialPhone ?? "");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [resetToken, setResetToken] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const result = await call(() =>
      api.POST("/auth/verify-phone", { body: { phoneNumber: phone, code: code.trim() } }),
    );
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    setResetToken(result.data.resetToken);
  }

  if (resetToken) {
    return (
      <section className="card narrow">
        <h1>{t("reset.title")}</h1>
        <ResetPasswordForm token={resetToken} intro={t("verifyPhone.accepted")} />
      </section>
    );
  }
  return (
    <section className="card narrow">
      <h1>{t("verifyPhone.title")}</h1>
      {initialPhone && <p className="muted">{t("verifyPhone.sent")}</p>}
      <FailureAlert failure={failure} />
      <form onSubmit={submit} noValidate>
        <Field label={t("common.phone")} name="phoneNumber" type="tel" autoComplete="tel" required
          value={phone} onChange={(e) => setPhone(e.target.value)} />
        <Field label={t("verifyPhone.code")} name="code" inputMode="numeric" autoComplete="one-time-code"
          required value={code} onChange={(e) => setCode(e.target.value)} />
        <button type="submit" disabled={busy}>{t("verifyPhone.submit")}</button>
      </form>
    </section>
  );
}
