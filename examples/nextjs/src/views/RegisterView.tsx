"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { call, type Failure } from "@/api/call";
import { api } from "@/api/client";
import { ProviderButtons } from "@/components/ProviderButtons";
import { FailureAlert, Field, passwordRefusal } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { nextPage } from "@/lib/paths";

export function RegisterView() {
  const { t, tError } = useI18n();
  const router = useRouter();
  const [form, setForm] = useState({ email: "", password: "", firstname: "", lastname: "", username: "" });
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const set = (name: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm({ ...form, [name]: e.target.value });

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const { email, password, firstname, lastname, username } = form;
    const body = { email, password, firstname, lastname, ...(username.trim() ? { username: username.trim() } : {}) };
    const result = await call(() => api.POST("/auth/register", { body }));
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    router.push(nextPage(result.data.user.requiredActions));
  }
  const refused = passwordRefusal(failure);

  return (
    <section className="card narrow">
      <h1>{t("register.title")}</h1>
      <FailureAlert failure={refused ? null : failure} />
      <form onSubmit={submit} noValidate>
        <Field label={t("common.email")} name="email" type="email" autoComplete="email" required
          value={form.email} onChange={set("email")} />
        <Field label={t("common.password")} name="password" type="password" autoComplete="new-password"
          required value={form.password} onChange={set("password")} error={refused && tError(refused.code)} />
        <div className="row">
          <Field label={t("common.firstname")} name="firstname" autoComplete="given-name"
            value={form.firstname} onChange={set("firstname")} />
          <Field label={t("common.lastname")} name="lastname" autoComplete="family-name"
            value={form.lastname} onChange={set("lastname")} />
        </div>
        <Field label={t("register.username")} name="username" autoComplete="username"
          value={form.username} onChange={set("username")} />
        <div className="actions">
          <button type="submit" disabled={busy}>{t("register.submit")}</button>
        </div>
      </form>
      <ProviderButtons />
      <p className="footer-links">
        {t("register.haveAccount")}
        <Link href="/login">{t("common.signIn")}</Link>
      </p>
    </section>
  );
}
