"use client";
// /forgot-password: a reset link by email, or a WhatsApp code to a verified number (then
// /verify-phone). The API answers 202 whether or not an account matches; so does this page.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { call, type Failure } from "@/api/call";
import { api } from "@/api/client";
import { FailureAlert, Field, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";

export function ForgotPasswordView() {
  const { t } = useI18n();
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [phone, setPhone] = useState("");
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [emailFailure, setEmailFailure] = useState<Failure | null>(null);
  const [phoneFailure, setPhoneFailure] = useState<Failure | null>(null);

  async function byEmail(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setEmailFailure(null);
    setSent(false);
    const result = await call(() => api.POST("/auth/forgot-password", { body: { email } }));
    setBusy(false);
    if (!result.ok) return setEmailFailure(result.failure);
    setSent(true);
  }

  async function byPhone(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setPhoneFailure(null);
    const result = await call(() => api.POST("/auth/forgot-password", { body: { phoneNumber: phone } }));
    setBusy(false);
    if (!result.ok) return setPhoneFailure(result.failure);
    router.push(`/verify-phone?phone=${encodeURIComponent(phone)}`);
  }

  return (
    <>
      <section className="card narrow">
        <h1>{t("forgot.title")}</h1>
        <h2>{t("forgot.byEmail")}</h2>
        <FailureAlert failure={emailFailure} />
        <Status>{sent && t("forgot.emailSent")}</Status>
        <form onSubmit={byEmail} noValidate>
          <Field label={t("common.email")} name="email" type="email" autoComplete="email" required
            value={email} onChange={(e) => setEmail(e.target.value)} />
          <button type="submit" disabled={busy}>{t("forgot.emailSubmit")}</button>
        </form>
      </section>
      <section className="card narrow">
        <h2>{t("forgot.byPhone")}</h2>
        <p className="muted">{t("forgot.phoneIntro")}</p>
        <FailureAlert failure={phoneFailure} />
        <form onSubmit={byPhone} noValidate>
          <Field label={t("common.phone")} name="phoneNumber" type="tel" autoComplete="tel" required
            value={phone} onChange={(e) => setPhone(e.target.value)} />
          <button type="submit" disabled={busy}>{t("forgot.phoneSubmit")}</button>
        </form>
        <p className="footer-links"><Link href="/login">{t("common.signIn")}</Link></p>
      </section>
    </>
  );
}
