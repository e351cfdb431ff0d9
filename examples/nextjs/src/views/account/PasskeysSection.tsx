"use client";
// Passkeys: the account's list (GET /auth/passkeys: added, last used, synced), adding one (its
// creation options, the browser's ceremony, the credential back, with an optional name),
// renaming one, removing one. Adding and removing need a recent sign-in: useFresh() asks for
// it. The API's refusals that need more than their generic words are said here: a passkey that
// is the account's last way in (409 last_login_method), an email not confirmed yet (403).
import { useCallback, useEffect, useState } from "react";

import { authed } from "@/api/call";
import { api, type Passkey, type User } from "@/api/client";
import { Alert, FailureAlert, Field, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { createPasskey } from "@/lib/passkeys";
import { useFresh } from "@/lib/reauth";
import { formatDate } from "./format";
import { Section, useAction } from "./Section";

const SAID_HERE: Record<string, MessageKey> = {
  last_login_method: "passkeys.lastOne",
  email_not_verified: "passkeys.verifyFirst",
};

export function PasskeysSection({ user, onChanged }: { user: User; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const fresh = useFresh();
  const { busy, failure, done, run } = useAction();
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null);
  const [name, setName] = useState("");
  const [renaming, setRenaming] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await authed(() => api.GET("/auth/passkeys"));
    if (result.ok) setPasskeys(result.data.passkeys);
  }, []);
  useEffect(() => void load(), [load]);

  const changed = async () => {
    await load();
    onChanged(); // the activity
  };

  async function add(event: React.FormEvent) {
    event.preventDefault();
    const label = name.trim();
    await run(() => createPasskey({
      options: () => fresh(() => api.POST("/auth/passkeys/register/options")),
      answer: (credential) => authed(() => api.POST("/auth/passkeys/register", {
        body: { credential, ...(label ? { name: label } : {}) },
      })),
    }), () => {
      setName("");
      void changed();
      return t("passkeys.added");
    });
  }

  const rename = (id: string, next: string) => run(
    () => authed(() => api.PATCH("/auth/passkeys/{passkey_id}", {
      params: { path: { passkey_id: id } }, body: { name: next },
    })),
    () => {
      setRenaming(null);
      void load();
      return t("passkeys.renamed");
    },
  );

  const remove = (id: string) => run(
    () => fresh(() => api.DELETE("/auth/passkeys/{passkey_id}", { params: { path: { passkey_id: id } } })),
    () => {
      void changed();
      return t("passkeys.removed");
    },
  );

  const unverified = Boolean(user.email && !user.emailVerified);
  return (
    <Section title={t("passkeys.title")}>
      <p>{t("passkeys.intro")}</p>
      {failure && failure.code in SAID_HERE ? (
        <Alert><p>{t(SAID_HERE[failure.code])}</p></Alert>
      ) : (
        <FailureAlert failure={failure} />
      )}
      <Status>{done}</Status>
      {passkeys && passkeys.length === 0 && <p className="muted">{t("passkeys.none")}</p>}
      <ul className="list" aria-label={t("passkeys.list")}>
        {passkeys?.map((passkey) => (
          <li key={passkey.id}>
            {renaming === passkey.id ? (
              <RenameForm passkey={passkey} busy={busy} onSave={(next) => rename(passkey.id, next)}
                onCancel={() => setRenaming(null)} />
            ) : (
              <>
                <span>
                  <strong>{passkey.name}</strong>
                  {passkey.backedUp && <span className="badge">{t("passkeys.backedUp")}</span>}
                  <br />
                  <span className="muted">
                    {t("passkeys.line", {
                      created: formatDate(passkey.createdAt, lang),
                      used: passkey.lastUsedAt
                        ? t("passkeys.lastUsed", { date: formatDate(passkey.lastUsedAt, lang) })
                        : t("passkeys.neverUsed"),
                    })}
                  </span>
                </span>
                <span className="actions">
                  <button type="button" className="secondary" disabled={busy} onClick={() => setRenaming(passkey.id)}>
                    {t("passkeys.rename")}
                  </button>
                  <button type="button" className="danger" disabled={busy} onClick={() => remove(passkey.id)}>
                    {t("passkeys.remove")}
                  </button>
                </span>
              </>
            )}
          </li>
        ))}
      </ul>
      {unverified ? (
        <p className="muted">{t("passkeys.verifyFirst")}</p>
      ) : (
        <form onSubmit={add} noValidate>
          <Field label={t("passkeys.name")} name="passkeyName" autoComplete="off" maxLength={64}
            value={name} onChange={(e) => setName(e.target.value)} />
          <div className="actions">
            <button type="submit" disabled={busy}>{t("passkeys.add")}</button>
          </div>
        </form>
      )}
    </Section>
  );
}

function RenameForm({ passkey, busy, onSave, onCancel }: {
  passkey: Passkey; busy: boolean; onSave: (name: string) => Promise<boolean>; onCancel: () => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(passkey.name);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    await onSave(name.trim());
  }

  return (
    <form className="rename" onSubmit={submit} noValidate>
      <Field label={t("passkeys.newName")} name="name" autoComplete="off" maxLength={64} required autoFocus
        value={name} onChange={(e) => setName(e.target.value)} />
      <div className="actions">
        <button type="submit" disabled={busy}>{t("passkeys.save")}</button>
        <button type="button" className="secondary" onClick={onCancel}>{t("reauth.cancel")}</button>
      </div>
    </form>
  );
}
