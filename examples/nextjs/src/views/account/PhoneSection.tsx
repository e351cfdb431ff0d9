"use client";
// The phone number and its WhatsApp code. A code is only sent to (and taken from) an account
// whose email is confirmed: until then the API answers email_not_verified, shown with a button
// that sends the confirmation link again.
import { useState } from "react";

import { authed } from "@/api/call";
import { api, type User } from "@/api/client";
import { VerifyEmailFirst } from "@/components/VerifyEmailFirst";
import { FailureAlert, Field, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { Section, useAction } from "./Section";

export function PhoneSection({ user, onUser }: { user: User; onUser: (user: User) => void }) {
  const { t } = useI18n();
  const [phone, setPhone] = useState(user.phoneNumber ?? "");
  const [code, setCode] = useState("");
  const [codeSent, setCodeSent] = useState(false);
  const { busy, failure, done, run } = useAction();

  async function save(event: React.FormEvent) {
    event.preventDefault();
    const phoneNumber = phone.trim() ? phone.trim() : null; // empty: remove the number
    await run(() => authed(() => api.PATCH("/auth/profile", { body: { phoneNumber } })), (data) => {
      onUser(data.user);
      setPhone(data.user.phoneNumber ?? "");
      setCodeSent(false);
      return t("account.phoneSaved");
    });
  }

  async function sendCode() {
    await run(() => authed(() => api.POST("/auth/phone/verify/request")), () => {
      setCodeSent(true);
      return t("account.codeSent");
    });
  }

  async function verify(event: React.FormEvent) {
    event.preventDefault();
    await run(() => authed(() => api.POST("/auth/phone/verify", { body: { code: code.trim() } })), (data) => {
      onUser(data.user);
      setCode("");
      setCodeSent(false);
      return t("account.phoneDone");
    });
  }

  return (
    <Section title={t("account.phone")}>
      {user.phoneNumber && (
        <p>
          {t("account.phoneState", {
            phone: user.phoneNumber,
            state: t(user.phoneVerified ? "account.phoneVerified" : "account.phoneUnverified"),
          })}
        </p>
      )}
      {failure?.code === "email_not_verified" && user.email ? (
        <VerifyEmailFirst what="phone" email={user.email} />
      ) : (
        <FailureAlert failure={failure} />
      )}
      <Status>{done}</Status>
      <form onSubmit={save} noValidate>
        <Field label={t("common.phone")} name="phoneNumber" type="tel" autoComplete="tel"
          value={phone} onChange={(e) => setPhone(e.target.value)} />
        <button type="submit" disabled={busy}>{t("account.savePhone")}</button>
      </form>
      {user.phoneNumber && !user.phoneVerified && (
        <div className="actions">
          <button type="button" className="secondary" disabled={busy} onClick={sendCode}>{t("account.sendCode")}</button>
        </div>
      )}
      {user.phoneNumber && !user.phoneVerified && codeSent && (
        <form onSubmit={verify} noValidate>
          <Field label={t("account.code")} name="code" inputMode="numeric" autoComplete="one-time-code" required
            value={code} onChange={(e) => setCode(e.target.value)} />
          <button type="submit" disabled={busy}>{t("account.verifyPhone")}</button>
        </form>
      )}
    </Section>
  );
}
