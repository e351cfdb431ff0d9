"use client";
// Two-step verification: its status (GET /auth/mfa); turning it on (a pending secret shown as
// a QR code drawn here from otpauthUri, and in text, then a first code); the 10 recovery codes,
// shown once, to copy or download; new codes; turning it off. Setup, new codes and turning off
// need a recent sign-in: useFresh() asks for it.
import QRCode from "qrcode";
import { useCallback, useEffect, useState } from "react";

import { authed } from "@/api/call";
import { api, type User } from "@/api/client";
import { FailureAlert, Field, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { useFresh } from "@/lib/reauth";
import { Section, useAction } from "./Section";

type MfaStatus = { totp: boolean; recoveryCodesLeft: number };
type Setup = { secret: string; otpauthUri: string };

export function TwoStepSection({ user, onChanged }: { user: User; onChanged: () => void }) {
  const { t } = useI18n();
  const fresh = useFresh();
  const { busy, failure, done, run } = useAction();
  const [status, setStatus] = useState<MfaStatus | null>(null);
  const [setup, setSetup] = useState<Setup | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);

  const load = useCallback(async () => {
    const result = await authed(() => api.GET("/auth/mfa"));
    if (result.ok) setStatus(result.data);
  }, []);
  useEffect(() => void load(), [load]);

  const changed = async () => {
    await load();
    onChanged(); // mfaEnabled on the user, the activity
  };

  const start = () => run(() => fresh(() => api.POST("/auth/mfa/totp/setup")), (data) => {
    setCodes(null);
    setSetup(data);
  });
  const renew = () => run(() => fresh(() => api.POST("/auth/mfa/recovery-codes")), (data) => {
    setCodes(data.recoveryCodes);
    void changed();
    return t("twoStep.renewed");
  });
  const turnOff = () => run(() => fresh(() => api.DELETE("/auth/mfa/totp")), () => {
    setCodes(null);
    void changed();
    return t("twoStep.turnedOff");
  });

  async function confirm(code: string) {
    return run(() => authed(() => api.POST("/auth/mfa/totp/confirm", { body: { code } })), (data) => {
      setSetup(null);
      setCodes(data.recoveryCodes);
      void changed();
      return t("twoStep.turnedOn");
    });
  }

  return (
    <Section title={t("twoStep.title")}>
      {status && !setup && (
        <p>
          {status.totp
            ? t("twoStep.on", { count: status.recoveryCodesLeft })
            : t("twoStep.off")}
        </p>
      )}
      <FailureAlert failure={failure} />
      <Status>{done}</Status>
      {codes && <RecoveryCodes codes={codes} onSaved={() => setCodes(null)} />}
      {setup ? (
        <SetupForm setup={setup} busy={busy} onConfirm={confirm} onCancel={() => setSetup(null)} />
      ) : status && !status.totp ? (
        user.email && !user.emailVerified ? (
          <p className="muted">{t("twoStep.verifyFirst")}</p>
        ) : (
          <button type="button" disabled={busy} onClick={start}>{t("twoStep.turnOn")}</button>
        )
      ) : status?.totp && !codes ? (
        <div className="actions">
          <button type="button" className="secondary" disabled={busy} onClick={renew}>{t("twoStep.newCodes")}</button>
          <button type="button" className="danger" disabled={busy} onClick={turnOff}>{t("twoStep.turnOff")}</button>
        </div>
      ) : null}
    </Section>
  );
}

function SetupForm({ setup, busy, onConfirm, onCancel }: {
  setup: Setup; busy: boolean; onConfirm: (code: string) => Promise<boolean>; onCancel: () => void;
}) {
  const { t } = useI18n();
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState("");

  // Drawn in the browser: the secret never goes to a third party to become a picture.
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(setup.otpauthUri, { margin: 1, width: 200 })
      .then((url) => live && setQr(url))
      .catch(() => live && setQr(null));
    return () => {
      live = false;
    };
  }, [setup.otpauthUri]);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (await onConfirm(code.replace(/\s/g, ""))) setCode("");
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>{t("twoStep.scan")}</p>
      {qr && (
        // eslint-disable-next-line @next/next/no-img-element -- a data: URL, nothing to optimise
        <img className="qr" src={qr} width={200} height={200} alt={t("twoStep.qrAlt")} />
      )}
      <Field label={t("twoStep.secret")} name="secret" readOnly value={setup.secret}
        onFocus={(e) => e.target.select()} hint={t("twoStep.secretHint")} />
      <div className="actions copy">
        <CopyButton text={setup.secret} />
      </div>
      <Field label={t("mfa.code")} name="code" autoComplete="one-time-code" inputMode="numeric" pattern="[0-9]*"
        maxLength={6} required value={code} onChange={(e) => setCode(e.target.value)} />
      <div className="actions">
        <button type="submit" disabled={busy}>{t("twoStep.confirm")}</button>
        <button type="button" className="secondary" onClick={onCancel}>{t("reauth.cancel")}</button>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onSaved }: { codes: string[]; onSaved: () => void }) {
  const { t } = useI18n();
  const text = codes.join("\n") + "\n";

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = Object.assign(document.createElement("a"), { href: url, download: "sesame-recovery-codes.txt" });
    link.click();
    URL.revokeObjectURL(url);
  }

  return (
    <div className="recovery-codes">
      <p>{t("twoStep.codesIntro")}</p>
      <ul className="codes" aria-label={t("twoStep.codes")}>
        {codes.map((code) => <li key={code}><code>{code}</code></li>)}
      </ul>
      <div className="actions">
        <CopyButton text={text} />
        <button type="button" className="secondary" onClick={download}>{t("twoStep.download")}</button>
        <button type="button" onClick={onSaved}>{t("twoStep.saved")}</button>
      </div>
    </div>
  );
}

function CopyButton({ text }: { text: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <button type="button" className="secondary" onClick={() => {
      void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false));
    }}>
      {t(copied ? "twoStep.copied" : "twoStep.copy")}
    </button>
  );
}
