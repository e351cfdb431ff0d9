"use client";
// /complete-profile: asks for what `requiredActions` lists: names (complete_profile), an email
// address (add_email, for a provider account without one), the email's confirmation (verify_email).
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { authed, type Failure } from "@/api/call";
import { api, type User } from "@/api/client";
import { FailureAlert, Field, Loading, Status } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { useUser } from "@/lib/useUser";

export function CompleteProfileView() {
  const { t } = useI18n();
  const { user, setUser, failed } = useUser();
  if (!user) return <Loading failed={failed} />;
  const actions = user.requiredActions;
  return (
    <>
      <section className="card">
        <h1>{t("profile.title")}</h1>
        {actions.includes("complete_profile") && <NamesForm user={user} onSaved={setUser} />}
        {!actions.includes("complete_profile") && (
          <Link href="/dashboard" className="button secondary">{t("profile.later")}</Link>
        )}
      </section>
      {actions.includes("add_email") && <AddEmail />}
      {actions.includes("verify_email") && user.email && <ConfirmEmail email={user.email} />}
    </>
  );
}

function NamesForm({ user, onSaved }: { user: User; onSaved: (user: User) => void }) {
  const { t } = useI18n();
  const router = useRouter();
  const [firstname, setFirstname] = useState(user.profile.firstname ?? "");
  const [lastname, setLastname] = useState(user.profile.lastname ?? "");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const result = await authed(() => api.PATCH("/auth/profile", { body: { firstname, lastname } }));
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    const saved = result.data.user;
    onSaved(saved);
    if (!saved.requiredActions.includes("complete_profile") && !saved.requiredActions.includes("add_email")) {
      router.push("/dashboard");
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <p className="muted">{t("profile.intro")}</p>
      <FailureAlert failure={failure} />
      <div className="row">
        <Field label={t("common.firstname")} name="firstname" autoComplete="given-name" required
          value={firstname} onChange={(e) => setFirstname(e.target.value)} />
        <Field label={t("common.lastname")} name="lastname" autoComplete="family-name" required
          value={lastname} onChange={(e) => setLastname(e.target.value)} />
      </div>
      <button type="submit" disabled={busy}>{t("profile.submit")}</button>
    </form>
  );
}

function AddEmail() {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    setSentTo(null);
    const result = await authed(() => api.POST("/auth/email/change", { body: { email } }));
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    setSentTo(email);
  }

  return (
    <section className="card">
      <h2>{t("profile.addEmailTitle")}</h2>
      <p className="muted">{t("profile.addEmailIntro")}</p>
      <FailureAlert failure={failure} />
      <Status>{sentTo && t("profile.emailSent", { email: sentTo })}</Status>
      <form onSubmit={submit} noValidate>
        <Field label={t("common.email")} name="email" type="email" autoComplete="email" required
          value={email} onChange={(e) => setEmail(e.target.value)} />
        <button type="submit" disabled={busy}>{t("profile.addEmailSubmit")}</button>
      </form>
    </section>
  );
}

/** "Confirm your email address" with a button that sends the link again. */
export function ConfirmEmail({ email }: { email: string }) {
  const { t } = useI18n();
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  useEffect(() => setSent(false), [email]);

  async function resend() {
    setBusy(true);
    setFailure(null);
    const result = await authed(() => api.POST("/auth/verify-email/request"));
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    setSent(true);
  }

  return (
    <section className="card">
      <h2>{t("profile.verifyTitle")}</h2>
      <p>{t("profile.verifyIntro", { email })}</p>
      <FailureAlert failure={failure} />
      <Status>{sent && t("profile.resent")}</Status>
      <button type="button" className="secondary" disabled={busy} onClick={resend}>{t("profile.resend")}</button>
    </section>
  );
}
