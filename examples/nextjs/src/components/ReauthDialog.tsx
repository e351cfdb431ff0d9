"use client";
// "Confirm it's you": the password, the password and a code when two-step verification is on,
// a code alone for an account with no password (POST /auth/reauth), or, for an account with
// neither, its providers (GET /auth/<name>?reauth=true, a navigation that comes back to this page);
// and, for an account with passkeys, one of them (POST /auth/reauth/passkey/options, then
// {credential} on POST /auth/reauth), whatever else it has.
import { useEffect, useRef, useState } from "react";

import { authed, type Failure } from "@/api/call";
import { api } from "@/api/client";
import { displayName, providerUrl, useProviders } from "@/components/ProviderButtons";
import { FailureAlert, Field } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { getPasskey, passkeysSupported } from "@/lib/passkeys";

const SECRETS = new Set(["password", "totp", "passkey"]);

export function ReauthDialog({ methods, onDone }: { methods: string[]; onDone: (fresh: boolean) => void }) {
  const { t } = useI18n();
  const providers = useProviders();
  const dialog = useRef<HTMLDialogElement>(null);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const withPassword = methods.includes("password");
  const withCode = methods.includes("totp");
  const viaProviders = methods.filter((method) => !SECRETS.has(method));
  const withPasskey = methods.includes("passkey") && passkeysSupported(); // opened in the browser only

  useEffect(() => {
    const open = dialog.current;
    open?.showModal();
    return () => open?.close();
  }, []);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const digits = code.replace(/\s/g, "");
    const body = withPassword ? { password, ...(withCode && { code: digits }) } : { code: digits };
    const result = await authed(() => api.POST("/auth/reauth", { body }));
    setBusy(false);
    if (result.ok) onDone(true);
    else setFailure(result.failure);
  }

  async function confirmWithPasskey() {
    setBusy(true);
    setFailure(null);
    const result = await getPasskey({
      options: () => authed(() => api.POST("/auth/reauth/passkey/options")),
      answer: (credential) => authed(() => api.POST("/auth/reauth", { body: { credential } })),
    });
    setBusy(false);
    if (!result) return; // cancelled: the dialog stays, with its other ways
    if (result.ok) onDone(true);
    // A refused passkey is invalid_code to the API, as a wrong code: said as a passkey's refusal.
    else setFailure(result.failure.code === "invalid_code" ? { ...result.failure, code: "invalid_passkey" } : result.failure);
  }

  const passkey = withPasskey && (
    <div className="actions">
      <button type="button" className="secondary" disabled={busy} onClick={confirmWithPasskey}>{t("reauth.passkey")}</button>
    </div>
  );

  const back = typeof window === "undefined" ? "/account" : window.location.pathname;
  return (
    <dialog ref={dialog} className="card narrow dialog" aria-labelledby="reauth-title"
      onCancel={(event) => { event.preventDefault(); onDone(false); }}>
      <h2 id="reauth-title">{t("reauth.title")}</h2>
      <FailureAlert failure={failure} />
      {withPassword || withCode ? (
        <form onSubmit={submit} noValidate>
          <p>{t(withPassword && withCode ? "reauth.both" : withPassword ? "reauth.password" : "reauth.code")}</p>
          {withPassword && (
            <Field label={t("common.password")} name="password" type="password" autoComplete="current-password"
              required autoFocus value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
          {withCode && (
            <Field label={t("mfa.code")} name="code" autoComplete="one-time-code" inputMode="numeric"
              pattern="[0-9]*" maxLength={6} required autoFocus={!withPassword} value={code}
              onChange={(e) => setCode(e.target.value)} />
          )}
          <div className="actions">
            <button type="submit" disabled={busy}>{t("reauth.submit")}</button>
            <button type="button" className="secondary" onClick={() => onDone(false)}>{t("reauth.cancel")}</button>
          </div>
          {passkey && <p className="separator">{t("common.or")}</p>}
          {passkey}
        </form>
      ) : viaProviders.length === 0 ? (
        <>
          <p>{t("reauth.passkeyOnly")}</p>
          {passkey}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => onDone(false)}>{t("reauth.cancel")}</button>
          </div>
        </>
      ) : (
        <>
          <p>{t("reauth.provider")}</p>
          <div className="providers">
            {viaProviders.map((name) => (
              <a key={name} className={`button provider provider-${name}`}
                href={providerUrl(name, { reauth: true, redirect: back })}>
                {t("reauth.continueWith", { name: displayName(providers, name) })}
              </a>
            ))}
          </div>
          {passkey}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => onDone(false)}>{t("reauth.cancel")}</button>
          </div>
        </>
      )}
    </dialog>
  );
}
