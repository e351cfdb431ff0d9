"use client";
import { useState } from "react";

import { api, type User } from "@/api/client";
import { FailureAlert, Field, Status, passwordRefusal } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { useFresh } from "@/lib/reauth";
import { Section, useAction } from "./Section";

export function PasswordSection({ user, onChanged }: { user: User; onChanged: () => void }) {
  const { t, tError } = useI18n();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const { busy, failure, done, run } = useAction();
  const fresh = useFresh(); // a first password needs a recent sign-in

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const body = user.hasPassword ? { currentPassword: current, newPassword: next } : { newPassword: next };
    const ok = await run(() => fresh(() => api.POST("/auth/password/change", { body })),
      () => t("account.passwordChanged"));
    if (ok) {
      setCurrent("");
      setNext("");
      onChanged(); // hasPassword, the sessions list
    }
  }

  const refused = passwordRefusal(failure);
  return (
    <Section title={t("account.password")}>
      {!user.hasPassword && <p className="muted">{t("account.noPassword")}</p>}
      <FailureAlert failure={refused ? null : failure} />
      <Status>{done}</Status>
      <form onSubmit={submit} noValidate>
        {user.hasPassword && (
          <Field label={t("account.currentPassword")} name="currentPassword" type="password"
            autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
        )}
        <Field label={t("common.newPassword")} name="newPassword" type="password" autoComplete="new-password"
          required value={next} onChange={(e) => setNext(e.target.value)} error={refused && tError(refused.code)} />
        <button type="submit" disabled={busy}>
          {t(user.hasPassword ? "account.changePassword" : "account.setPassword")}
        </button>
      </form>
    </Section>
  );
}
