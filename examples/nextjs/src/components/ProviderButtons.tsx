"use client";
// One button per provider the API offers (GET /auth/providers). They are links: a provider
// sign-in is a navigation of the whole page to the API, which redirects to the provider.
import { useEffect, useState } from "react";

import { api } from "@/api/client";
import { API_BASE } from "@/lib/config";
import { useI18n } from "@/lib/i18n";

type Providers = { providers: string[]; displayNames: Record<string, string> };

const NONE: Providers = { providers: [], displayNames: {} };
let asked: Promise<Providers> | null = null; // once per page load, however many buttons ask

function fetchProviders(): Promise<Providers> {
  asked ??= api.GET("/auth/providers").then(({ data }) => {
    if (!data) throw new Error("GET /auth/providers failed");
    return data;
  });
  return asked.catch(() => {
    asked = null; // ask again next time
    return NONE;
  });
}

export function useProviders(): Providers | null {
  const [providers, setProviders] = useState<Providers | null>(null);
  useEffect(() => {
    let live = true;
    void fetchProviders().then((found) => live && setProviders(found));
    return () => {
      live = false;
    };
  }, []);
  return providers;
}

export function displayName(providers: Providers | null, name: string): string {
  return providers?.displayNames[name] ?? name.charAt(0).toUpperCase() + name.slice(1);
}

/** The API's URL that starts a provider's sign-in (or, with link, attaches it to the account;
 *  with reauth, proves again that the signed-in person holds it). */
export function providerUrl(name: string, options: { link?: boolean; reauth?: boolean; redirect?: string } = {}): string {
  const query = new URLSearchParams();
  if (options.link) query.set("link", "true");
  if (options.reauth) query.set("reauth", "true");
  if (options.redirect) query.set("redirect", options.redirect);
  const suffix = query.size ? `?${query}` : "";
  return `${API_BASE}/auth/${encodeURIComponent(name)}${suffix}`;
}

export function ProviderButtons({ only, redirect }: { only?: string[]; redirect?: string }) {
  const { t } = useI18n();
  const providers = useProviders();
  if (!providers) return null;
  const names = providers.providers.filter((name) => !only || only.includes(name));
  if (!names.length) return null;
  return (
    <div className="providers">
      {names.map((name) => (
        <a key={name} className={`button provider provider-${name}`} href={providerUrl(name, { redirect })}>
          {t("provider.signIn", { name: displayName(providers, name) })}
        </a>
      ))}
    </div>
  );
}
