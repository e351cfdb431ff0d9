"use client";
// Linked sign-in providers: unlink one (DELETE /auth/accounts/{provider}, a sensitive action), or link another
// (a navigation to /auth/<name>?link=true; the API comes back to /auth/finish?linked=true).
import { useCallback, useEffect, useState } from "react";

import { authed } from "@/api/call";
import { api, type LinkedAccount } from "@/api/client";
import { displayName, providerUrl, useProviders } from "@/components/ProviderButtons";
import { FailureAlert, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { useFresh } from "@/lib/reauth";
import { formatDate } from "./format";
import { Section, useAction } from "./Section";

export function ProvidersSection({ onChanged }: { onChanged: () => void }) {
  const { t, lang } = useI18n();
  const providers = useProviders();
  const [accounts, setAccounts] = useState<LinkedAccount[] | null>(null);
  const { busy, failure, done, run } = useAction();
  const fresh = useFresh();

  const load = useCallback(async () => {
    const result = await authed(() => api.GET("/auth/accounts"));
    if (result.ok) setAccounts(result.data.accounts);
  }, []);
  useEffect(() => void load(), [load]);

  async function unlink(provider: string) {
    const name = displayName(providers, provider);
    const ok = await run(
      () => fresh(() => api.DELETE("/auth/accounts/{provider}", { params: { path: { provider } } })),
      () => t("account.unlinked", { name }),
    );
    if (ok) {
      await load();
      onChanged();
    }
  }

  const linked = new Set(accounts?.map((a) => a.provider));
  const linkable = (providers?.providers ?? []).filter((name) => !linked.has(name));
  return (
    <Section title={t("account.providers")}>
      <FailureAlert failure={failure} />
      <Status>{done}</Status>
      {accounts && accounts.length === 0 && <p className="muted">{t("account.noProviders")}</p>}
      <ul className="list">
        {accounts?.map((account) => (
          <li key={account.provider}>
            <span>
              {t("account.linkedOn", {
                name: displayName(providers, account.provider),
                date: formatDate(account.linkedAt, lang),
              })}
            </span>
            <button type="button" className="danger" disabled={busy} onClick={() => unlink(account.provider)}>
              {t("provider.unlink", { name: displayName(providers, account.provider) })}
            </button>
          </li>
        ))}
      </ul>
      {accounts && linkable.length > 0 && (
        <div className="actions">
          {linkable.map((name) => (
            <a key={name} className="button secondary" href={providerUrl(name, { link: true, redirect: "/account" })}>
              {t("provider.link", { name: displayName(providers, name) })}
            </a>
          ))}
        </div>
      )}
    </Section>
  );
}
