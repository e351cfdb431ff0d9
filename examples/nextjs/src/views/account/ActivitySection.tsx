"use client";
// The account's security activity (GET /auth/events), newest first.
import { forwardRef, useCallback, useEffect, useImperativeHandle, useState } from "react";

import { authed } from "@/api/call";
import { api, type SecurityEvent } from "@/api/client";
import { useI18n } from "@/lib/i18n";
import { describeAgent, formatDate } from "./format";
import { Section } from "./Section";
import type { Reloadable } from "./SessionsSection";

/** The provider or sign-in method an event names (never a secret: the API says so). */
function detailOf(event: SecurityEvent): string | null {
  const { provider, method } = event.detail;
  return typeof provider === "string" ? provider : typeof method === "string" ? method : null;
}

export const ActivitySection = forwardRef<Reloadable>(function ActivitySection(_, ref) {
  const { t, lang } = useI18n();
  const [events, setEvents] = useState<SecurityEvent[] | null>(null);

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
          // The schema lists every kind: a kind without its text is a type error here.
          const key = `event.${event.kind}` as const;
          const where = [describeAgent(event.userAgent), event.ip].filter(Boolean).join(" · ");
          return (
            <li key={`${event.createdAt}-${index}`}>
              <span>
                {t(key)}
                {detailOf(event) && ` (${detailOf(event)})`}
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
