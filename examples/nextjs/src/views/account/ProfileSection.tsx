"use client";
import { useState } from "react";

import { authed } from "@/api/call";
import { api, type User } from "@/api/client";
import { FailureAlert, Field, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { Section, useAction } from "./Section";

export function ProfileSection({ user, onUser }: { user: User; onUser: (user: User) => void }) {
  const { t } = useI18n();
  const [firstname, setFirstname] = useState(user.profile.firstname ?? "");
  const [lastname, setLastname] = useState(user.profile.lastname ?? "");
  const [username, setUsername] = useState(user.username ?? "");
  const [locale, setLocale] = useState(user.profile.locale ?? "");
  const { busy, failure, done, run } = useAction();

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    // "" leaves a field unchanged; null clears it (names cannot be cleared).
    const body = {
      firstname,
      lastname,
      username: username.trim() ? username.trim() : user.username ? null : "",
      locale: (locale || (user.profile.locale ? null : "")) as "fr" | "en" | "" | null,
    };
    await run(() => authed(() => api.PATCH("/auth/profile", { body })), (data) => {
      onUser(data.user);
      return t("account.profileSaved");
    });
  }

  return (
    <Section title={t("account.profile")}>
      <FailureAlert failure={failure} />
      <Status>{done}</Status>
      <form onSubmit={submit} noValidate>
        <div className="row">
          <Field label={t("common.firstname")} name="firstname" autoComplete="given-name"
            value={firstname} onChange={(e) => setFirstname(e.target.value)} />
          <Field label={t("common.lastname")} name="lastname" autoComplete="family-name"
            value={lastname} onChange={(e) => setLastname(e.target.value)} />
        </div>
        <Field label={t("account.username")} name="username" autoComplete="username"
          value={username} onChange={(e) => setUsername(e.target.value)} />
        <div className="field">
          <label htmlFor="profile-locale">{t("account.language")}</label>
          <select id="profile-locale" value={locale} onChange={(e) => setLocale(e.target.value)}>
            <option value="">{t("account.languageNone")}</option>
            <option value="fr">Français</option>
            <option value="en">English</option>
          </select>
        </div>
        <button type="submit" disabled={busy}>{t("account.saveProfile")}</button>
      </form>
    </Section>
  );
}
