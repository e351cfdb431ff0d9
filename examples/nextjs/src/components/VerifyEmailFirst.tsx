"use client";
// The answer to `email_not_verified` where something would be added to the account (a phone's
// WhatsApp code, a linked provider): nothing is added to an unconfirmed address. Says so, with
// a button that mails the confirmation link again (POST /auth/verify-email/request).
import { useState } from "react";

import { authed, type Failure } from "@/api/call";
import { api } from "@/api/client";
import { Alert, FailureAlert, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";

export function VerifyEmailFirst({ email, what }: { email: string; what: "phone" | "link" }) {
  const { t } = useI18n();
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  async function resend() {
    setBusy(true);
    setFailure(null);
    setSent(false);
    const result = await authed(() => api.POST("/auth/verify-email/request"));
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    setSent(true);
  }

  return (
    <div className="verify-first">
      <Alert><p>{t(what === "phone" ? "verifyFirst.phone" : "verifyFirst.link", { email })}</p></Alert>
      {failure?.code === "rate_limited" ? (
        <Alert><p>{t("verifyFirst.rateLimited")}</p></Alert>
      ) : (
        <FailureAlert failure={failure} />
      )}
      <Status>{sent && t("profile.resent")}</Status>
      <div className="actions">
        <button type="button" className="secondary" disabled={busy} onClick={resend}>{t("profile.resend")}</button>
      </div>
    </div>
  );
}
