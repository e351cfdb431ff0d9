"use client";
// The account's security activity (GET /auth/events), newest first.
import { forwardRef, useCallback, useEffect, useImperativeHandle, useState } from "react";

import { authed } from "@/api/call";
import { api, type SecurityEvent } from "@/api/client";
import { displayName, useProviders } from "@/components/ProviderButtons";
import { useI18n } from "@/lib/i18n";
import { describeAgent, formatDate } from "./format";
import { Section } from "./Section";
import type { Reloadable } from "./SessionsSection";

/** The provider or sign-in methods an event names (never a secret: the API says so); a
 *  re-authentication lists what proved it. */
function detailsOf(event: SecurityEvent): string[] {
  const { provider, method, methods } = event.detail;
  if (typeof provider === "string") return [provider];
  if (typeof method === "string") return [method];
  return Array.isArray(methods) ? methods.filter((m): m is string => typeof m === "string") : [];
}

function isCounterRegression(event: SecurityEvent): boolean {
  return event.kind === "mfa_failed" && event.detail.reason === "sign_count";
}

const METHODS = {
  password: "method.password", register: "method.register", totp: "method.totp", passkey: "method.passkey",
} as const;

export const ActivitySection = forwardRef<Reloadable>(function ActivitySection(_, ref) {
  const { t, lang } = useI18n();
  const providers = useProviders();
  const [events, setEvents] = useState<SecurityEvent[] | null>(null);
  // A sign-in method in the page's language, a provider by its button's name.
  const describe = (detail: string) =>
    detail in METHODS ? t(METHODS[detail as keyof typeof METHODS]) : displayName(providers, detail);

  const load = useCallback(async () => {
    const result = await authed(() => api.GET("/auth/events", { params: { query: { limit: 20 } } }));
    if (result.ok) setEvents(result.data.events);
  }, []);
  useEffect(() => void load(), [load]);
  useImperativeHandle(ref, () => ({ reload: load }), [load]);

  return (
    <Section title={t("account.activity")}>
      {events && events.length === 0 && <p className="muted">{t("account.noActivity")}</p>}
      <ul className="list">
        {events?.map((event, index) => {
          // The schema lists every kind: a kind without its text is a type error here. A
          // passkey whose signature counter went back is recorded as a failed second factor,
          // but says what it may mean: a copy of that passkey.
          const key = isCounterRegression(event) ? "event.passkey_counter" : (`event.${event.kind}` as const);
          const where = [describeAgent(event.userAgent), event.ip].filter(Boolean).join(" · ");
          const details = isCounterRegression(event) ? [] : detailsOf(event);
          return (
            <li key={`${event.createdAt}-${index}`}>
              <span>
                {t(key)}
                {details.length > 0 && ` (${details.map(describe).join(", ")})`}
              </span>
              <span className="muted">
                {formatDate(event.createdAt, lang)}
                {where && ` · ${where}`}
              </span>
            </li>
          );
        })}
      </ul>
    </Section>
  );
});
