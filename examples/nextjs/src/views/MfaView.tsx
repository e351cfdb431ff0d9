"use client";
// /auth/mfa: the code of the authenticator app, one of the recovery codes, or (when `methods`
// has passkey) one of the account's passkeys answers POST /auth/mfa/verify; its 200 is a
// login's, and goes where a login goes. A challenge that
// expired or was burned cannot be answered any more: the person signs in again.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { call, type Failure } from "@/api/call";
import { api } from "@/api/client";
import { displayName, useProviders } from "@/components/ProviderButtons";
import { Alert, FailureAlert, Field, LockedAlert } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { getPasskey, passkeysSupported } from "@/lib/passkeys";
import { signedInPage } from "@/lib/paths";

type Props = { provider?: string; methods?: string; redirect?: string };

// Answers after which this challenge is gone: only a new sign-in helps.
const ENDED = new Set(["mfa_challenge_expired", "too_many_attempts"]);

export function MfaView({ provider, methods, redirect }: Props) {
  const { t } = useI18n();
  const router = useRouter();
  const providers = useProviders();
  const offered = methods ? methods.split(",").filter(Boolean) : ["totp", "recovery_code"];
  const [recovery, setRecovery] = useState(!offered.includes("totp"));
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [withPasskey, setWithPasskey] = useState(false); // known in the browser only
  const offersPasskey = offered.includes("passkey");
  useEffect(() => setWithPasskey(offersPasskey && passkeysSupported()), [offersPasskey]);

  async function answerWithPasskey() {
    setBusy(true);
    setFailure(null);
    const result = await getPasskey({
      options: () => call(() => api.POST("/auth/mfa/passkey/options")),
      answer: (credential) => call(() => api.POST("/auth/mfa/verify", { body: { credential } })),
    });
    setBusy(false);
    if (!result) return; // cancelled: the other answers are still there
    if (!result.ok) {
      // A refused passkey counts as a wrong answer (invalid_code): said as a passkey's refusal.
      setFailure(result.failure.code === "invalid_code" ? { ...result.failure, code: "invalid_passkey" } : result.failure);
      return;
    }
    router.push(signedInPage(result.data.user, result.data.linkedProvider, redirect));
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const body = recovery ? { recoveryCode: code.trim() } : { code: code.replace(/\s/g, "") };
    const result = await call(() => api.POST("/auth/mfa/verify", { body }));
    setBusy(false);
    if (!result.ok) {
      setFailure(result.failure);
      return;
    }
    router.push(signedInPage(result.data.user, result.data.linkedProvider, redirect));
  }

  function switchTo(useRecovery: boolean) {
    setRecovery(useRecovery);
    setCode("");
    setFailure(null);
  }

  const ended = failure && ENDED.has(failure.code);
  return (
    <section className="card narrow">
      <h1>{t("mfa.title")}</h1>
      <p>
        {provider ? t("mfa.afterProvider", { provider: displayName(providers, provider) }) + " " : ""}
        {t(recovery ? "mfa.recoveryIntro" : "mfa.codeIntro")}
      </p>
      {failure?.code === "account_locked" ? (
        <LockedAlert failure={failure} />
      ) : ended ? (
        <Alert>
          <p>{t(failure.code === "too_many_attempts" ? "mfa.burned" : "mfa.expired")}</p>
        </Alert>
      ) : (
        <FailureAlert failure={failure} />
      )}
      {ended ? (
        <Link href="/login" className="button">{t("common.signIn")}</Link>
      ) : (
        <form onSubmit={submit} noValidate>
          {recovery ? (
            <Field key="recovery" label={t("mfa.recoveryCode")} name="recoveryCode" autoComplete="off"
              autoCapitalize="none" spellCheck={false} required value={code} onChange={(e) => setCode(e.target.value)} />
          ) : (
            <Field key="code" label={t("mfa.code")} name="code" autoComplete="one-time-code" inputMode="numeric"
              pattern="[0-9]*" maxLength={6} required autoFocus value={code} onChange={(e) => setCode(e.target.value)} />
          )}
          <div className="actions">
            <button type="submit" disabled={busy}>{t("mfa.submit")}</button>
            {offered.includes("recovery_code") && offered.includes("totp") && (
              <button type="button" className="secondary" onClick={() => switchTo(!recovery)}>
                {t(recovery ? "mfa.useCode" : "mfa.useRecovery")}
              </button>
            )}
            {withPasskey && (
              <button type="button" className="secondary" disabled={busy} onClick={answerWithPasskey}>
                {t("mfa.passkey")}
              </button>
            )}
          </div>
        </form>
      )}
    </section>
  );
}
