"use client";
// Live sessions, this one marked: end one, or every other one.
import { forwardRef, useCallback, useEffect, useImperativeHandle, useState } from "react";

import { authed } from "@/api/call";
import { api, type SessionInfo } from "@/api/client";
import { FailureAlert, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { describeAgent, formatDate } from "./format";
import { Section, useAction } from "./Section";

export type Reloadable = { reload: () => Promise<void> };

export const SessionsSection = forwardRef<Reloadable>(function SessionsSection(_, ref) {
  const { t, lang } = useI18n();
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const { busy, failure, done, run } = useAction();

  const load = useCallback(async () => {
    const result = await authed(() => api.GET("/auth/sessions"));
    if (result.ok) setSessions(result.data.sessions);
  }, []);
  useEffect(() => void load(), [load]);
  useImperativeHandle(ref, () => ({ reload: load }), [load]);

  async function end(id: string) {
    if (await run(() => authed(() => api.DELETE("/auth/sessions/{session_id}", { params: { path: { session_id: id } } })),
      () => t("account.sessionEnded"))) await load();
  }

  async function endOthers() {
    if (await run(() => authed(() => api.POST("/auth/sessions/revoke-others")),
      (data) => t("account.othersEnded", { count: data.revoked }))) await load();
  }

  const unknown = t("account.unknown");
  return (
    <Section title={t("account.sessions")}>
      <FailureAlert failure={failure} />
      <Status>{done}</Status>
      <ul className="list">
        {sessions?.map((session) => (
          <li key={session.id}>
            <span>
              {t("account.sessionLine", {
                agent: describeAgent(session.userAgent) ?? unknown,
                ip: session.ip ?? unknown,
                created: formatDate(session.createdAt, lang),
                seen: formatDate(session.lastSeenAt, lang),
              })}
              {session.current && <span className="badge">{t("account.thisDevice")}</span>}
            </span>
            {!session.current && (
              <button type="button" className="danger" disabled={busy} onClick={() => end(session.id)}>
                {t("account.endSession")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {sessions && sessions.some((s) => !s.current) && (
        <button type="button" className="secondary" disabled={busy} onClick={endOthers}>{t("account.endOthers")}</button>
      )}
    </Section>
  );
});
