"use client";
// Your data: download everything the service holds about the account (GET /auth/account/export,
// saved as a JSON file), or delete the account (DELETE /auth/account) after a confirmation that
// says what goes with it. Both are sensitive actions: useFresh() asks for a recent sign-in.
// A deleted account is signed out here and in the other tabs, and lands on the login page.
import { useState } from "react";

import { api } from "@/api/client";
import { FailureAlert, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { useFresh } from "@/lib/reauth";
import { accountDeleted } from "@/lib/session";
import { Section, useAction } from "./Section";

export function YourDataSection() {
  const { t } = useI18n();
  const fresh = useFresh();
  const { busy, failure, done, run } = useAction();
  const [confirming, setConfirming] = useState(false);

  const download = () => run(() => fresh(() => api.GET("/auth/account/export")), (data) => {
    const text = JSON.stringify(data, null, 2) + "\n";
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const name = `account-data-${data.exportedAt.slice(0, 10)}.json`;
    Object.assign(document.createElement("a"), { href: url, download: name }).click();
    URL.revokeObjectURL(url);
    return t("yourData.downloaded");
  });

  async function deleteAccount() {
    const ok = await run(() => fresh(() => api.DELETE("/auth/account")), () => null);
    if (ok) accountDeleted();
  }

  return (
    <Section title={t("yourData.title")}>
      <FailureAlert failure={failure} />
      <Status>{done}</Status>
      <p>{t("yourData.exportIntro")}</p>
      <div className="actions">
        <button type="button" className="secondary" disabled={busy} onClick={download}>
          {t("yourData.download")}
        </button>
      </div>
      <h3>{t("yourData.deleteTitle")}</h3>
      {confirming ? (
        <div role="group" aria-label={t("yourData.deleteTitle")}>
          <p>{t("yourData.deleteWarning")}</p>
          <ul>
            <li>{t("yourData.deleteSessions")}</li>
            <li>{t("yourData.deleteProviders")}</li>
            <li>{t("yourData.deleteSecondFactor")}</li>
            <li>{t("yourData.deleteData")}</li>
          </ul>
          <p><strong>{t("yourData.deleteFinal")}</strong></p>
          <div className="actions">
            <button type="button" className="danger" disabled={busy} onClick={deleteAccount}>
              {t("yourData.deleteConfirm")}
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(false)}>
              {t("yourData.deleteCancel")}
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>
            {t("yourData.delete")}
          </button>
        </div>
      )}
    </Section>
  );
}
