"use client";
// /secure-account and /unlock: a mailed link whose token is posted when the person clicks
// (securing ends every session and removes the password: never on a mere page load).
// Securing also says what it undid: what was added to the account since the notice's event.
import Link from "next/link";
import { useState } from "react";

import { call, type Failure } from "@/api/call";
import { api, type Undone } from "@/api/client";
import { displayName, useProviders } from "@/components/ProviderButtons";
import { Alert, FailureAlert, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";

const ACTIONS = {
  secure: {
    path: "/auth/secure-account", title: "secure.title", intro: "secure.intro", submit: "secure.submit",
    done: "secure.done", next: "/forgot-password", nextLabel: "common.forgot",
  },
  unlock: {
    path: "/auth/unlock", title: "unlock.title", intro: "unlock.intro", submit: "unlock.submit",
    done: "unlock.done", next: "/login", nextLabel: "common.signIn",
  },
} as const;

export function TokenActionView({ action, token }: { action: keyof typeof ACTIONS; token?: string }) {
  const { t, tError } = useI18n();
  const texts = ACTIONS[action];
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [undone, setUndone] = useState<Undone | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);

  async function confirm() {
    if (!token) return;
    setBusy(true);
    setFailure(null);
    const result = await call(() => api.POST(texts.path, { body: { token } }));
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    if ("undone" in result.data) setUndone(result.data.undone);
    setDone(true);
  }

  return (
    <section className="card narrow">
      <h1>{t(texts.title)}</h1>
      {!token ? (
        <Alert><p>{tError("missing_token")}</p></Alert>
      ) : done ? (
        <>
          {undone ? (
            <div role="status" className="status">
              <UndoneList undone={undone} />
              <p>{t(texts.done)}</p>
            </div>
          ) : (
            <Status>{t(texts.done)}</Status>
          )}
          <p><Link href={texts.next} className="button">{t(texts.nextLabel)}</Link></p>
        </>
      ) : (
        <>
          <p>{t(texts.intro)}</p>
          <FailureAlert failure={failure} />
          <button type="button" disabled={busy} onClick={confirm}>{t(texts.submit)}</button>
        </>
      )}
    </section>
  );
}

/** One sentence per thing "not you?" took back, or that nothing else had been added. */
function UndoneList({ undone }: { undone: Undone }) {
  const { t } = useI18n();
  const providers = useProviders();
  const sentences = [
    ...undone.providersUnlinked.map((name) => t("secure.undoneProvider", { name: displayName(providers, name) })),
    ...(undone.phoneRemoved ? [t("secure.undonePhone")] : []),
    ...(undone.emailChangeCancelled ? [t("secure.undoneEmailChange")] : []),
    ...(undone.emailRestored ? [t("secure.undoneEmailRestored", { email: undone.emailRestored })] : []),
    ...(undone.passkeysRemoved === 1 ? [t("secure.undonePasskey")] : []),
    ...(undone.passkeysRemoved > 1 ? [t("secure.undonePasskeys", { count: undone.passkeysRemoved })] : []),
    ...(undone.secondFactorRemoved ? [t("secure.undoneSecondFactor")] : []),
  ];
  if (!sentences.length) return <p>{t("secure.undoneNothing")}</p>;
  return (
    <>
      <p>{t("secure.undone")}</p>
      <ul>
        {sentences.map((sentence) => <li key={sentence}>{sentence}</li>)}
      </ul>
    </>
  );
}
