"use client";
import Link from "next/link";

import { displayName, useProviders } from "@/components/ProviderButtons";
import { Loading, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { signOut } from "@/lib/session";
import { useUser } from "@/lib/useUser";
import { ConfirmEmail } from "./CompleteProfileView";

export function DashboardView({ linked }: { linked?: string }) {
  const { t } = useI18n();
  const { user, failed } = useUser();
  const providers = useProviders();
  if (!user) return <Loading failed={failed} />;
  const name = user.profile.firstname || user.username || user.email || "";
  const actions = user.requiredActions;
  return (
    <>
      <section className="card">
        <h1>{t("dashboard.title", { name })}</h1>
        {linked && <Status>{t("dashboard.linked", { provider: displayName(providers, linked) })}</Status>}
        <p>
          {user.email
            ? t("dashboard.email", {
                email: `${user.email} (${t(user.emailVerified ? "dashboard.verified" : "dashboard.unverified")})`,
              })
            : t("dashboard.noEmail")}
        </p>
        <div className="actions">
          {actions.includes("complete_profile") && <Link href="/complete-profile">{t("dashboard.completeProfile")}</Link>}
          {actions.includes("add_email") && <Link href="/complete-profile">{t("dashboard.addEmail")}</Link>}
          <Link href="/account" className="button secondary">{t("common.account")}</Link>
          <button type="button" className="secondary" onClick={() => void signOut()}>{t("common.signOut")}</button>
        </div>
      </section>
      {actions.includes("verify_email") && user.email && <ConfirmEmail email={user.email} />}
    </>
  );
}
