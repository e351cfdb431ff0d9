"use client";
// The new password for a reset token: a mailed link's (/reset-password?token=) or the
// resetToken that a WhatsApp code gave (/verify-phone). A weak or breached password, said under
// its field, keeps the token usable;
// a dead token leads to /forgot-password. `intro` (the page's own status) gives way to the
// result: one status at a time.
import Link from "next/link";
import { useState } from "react";

import { call, type Failure } from "@/api/call";
import { api } from "@/api/client";
import { FailureAlert, Field, Status, passwordRefusal } from "@/components/ui";
import { useI18n } from "@/lib/i18n";

export function ResetPasswordForm({ token, intro }: { token: string; intro?: string }) {
  const { t, tError } = useI18n();
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setFailure(null);
    if (password !== confirm) return setFailure({ status: 0, code: "password_mismatch" });
    setBusy(true);
    const result = await call(() => api.POST("/auth/reset-password", { body: { token, password } }));
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    setDone(true);
  }

  const refused = passwordRefusal(failure);
  if (done) {
    return (
      <>
        <Status>{t("reset.done")}</Status>
        <p><Link href="/login" className="button">{t("common.signIn")}</Link></p>
      </>
    );
  }
  return (
    <form onSubmit={submit} noValidate>
      <Status>{intro}</Status>
      <FailureAlert failure={refused ? null : failure} />
      {failure?.code === "invalid_token" && <AskAgain />}
      <Field label={t("common.newPassword")} name="password" type="password" autoComplete="new-password"
        required value={password} onChange={(e) => setPassword(e.target.value)}
        error={refused && tError(refused.code)} />
      <Field label={t("common.confirmPassword")} name="confirm" type="password" autoComplete="new-password"
        required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
      <button type="submit" disabled={busy}>{t("reset.submit")}</button>
    </form>
  );
}

/** The way out of a dead or missing reset link: ask for a new link, or a WhatsApp code. */
export function AskAgain() {
  const { t } = useI18n();
  return <p><Link href="/forgot-password" className="button">{t("reset.askAgain")}</Link></p>;
}
