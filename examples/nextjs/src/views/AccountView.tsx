"use client";
// /account: profile, email, phone, password, two-step verification, passkeys, linked providers,
// sessions, security activity, your data (download it, delete the account). Sensitive actions
// open the re-authentication dialog when the sign-in is old.
// ?error=email_not_verified: a provider link was refused because the email is not confirmed
// yet (the login page sends the signed-in browser here): said first, with the resend button.
import Link from "next/link";
import { useRef } from "react";

import { VerifyEmailFirst } from "@/components/VerifyEmailFirst";
import { Loading } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { ReauthProvider } from "@/lib/reauth";
import { signOut } from "@/lib/session";
import { useUser } from "@/lib/useUser";
import { ActivitySection } from "./account/ActivitySection";
import { EmailSection } from "./account/EmailSection";
import { PasswordSection } from "./account/PasswordSection";
import { PhoneSection } from "./account/PhoneSection";
import { ProfileSection } from "./account/ProfileSection";
import { ProvidersSection } from "./account/ProvidersSection";
import { PasskeysSection } from "./account/PasskeysSection";
import { Section } from "./account/Section";
import { SessionsSection, type Reloadable } from "./account/SessionsSection";
import { TwoStepSection } from "./account/TwoStepSection";
import { YourDataSection } from "./account/YourDataSection";

export function AccountView({ error }: { error?: string }) {
  const { t } = useI18n();
  const { user, setUser, reload, failed } = useUser();
  const sessions = useRef<Reloadable>(null);
  const activity = useRef<Reloadable>(null);
  if (!user) return <Loading failed={failed} />;

  const changed = () => {
    void reload();
    void sessions.current?.reload();
    void activity.current?.reload();
  };
  return (
    <ReauthProvider>
      <div className="card">
        <h1>{t("account.title")}</h1>
        <div className="actions">
          <Link href="/dashboard">{t("common.dashboard")}</Link>
          <button type="button" className="secondary" onClick={() => void signOut()}>{t("common.signOut")}</button>
        </div>
      </div>
      {error === "email_not_verified" && user.email && !user.emailVerified && (
        <Section title={t("verifyFirst.linkTitle")}>
          <VerifyEmailFirst what="link" email={user.email} />
        </Section>
      )}
      <ProfileSection user={user} onUser={setUser} />
      <EmailSection user={user} />
      <PhoneSection user={user} onUser={(u) => { setUser(u); void activity.current?.reload(); }} />
      <PasswordSection user={user} onChanged={changed} />
      <TwoStepSection user={user} onChanged={changed} />
      <PasskeysSection user={user} onChanged={changed} />
      <ProvidersSection onChanged={changed} />
      <SessionsSection ref={sessions} />
      <ActivitySection ref={activity} />
      <YourDataSection />
    </ReauthProvider>
  );
}
