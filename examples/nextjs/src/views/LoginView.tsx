"use client";
// /login and /auth/login (where the API sends a failed provider sign-in with ?error=). A link
// refused because the signed-in account's email is not confirmed goes on to /account, which
// says so next to the button that sends the confirmation link again. ?deleted=1: the account
// was just deleted (from /account), which is said first.
// Passkeys: a button for the browser's modal ceremony, and conditional UI (the identifier
// field offers the browser's passkeys among its suggestions; picking one signs in). The
// conditional request starts with the page and is aborted when the button starts its own.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";

import { call, type Failure } from "@/api/call";
import { api } from "@/api/client";
import { ProviderButtons, displayName, useProviders } from "@/components/ProviderButtons";
import { Alert, FailureAlert, Field, LockedAlert, Status } from "@/components/ui";
import { API_BASE } from "@/lib/config";
import { useI18n } from "@/lib/i18n";
import { conditionalAvailable, getPasskey, passkeysSupported } from "@/lib/passkeys";
import { signedInPage } from "@/lib/paths";
import { fetchMe } from "@/lib/session";

type Props = { error?: string; provider?: string; pending?: string; redirect?: string; deleted?: boolean };

export function LoginView({ error, provider, pending, redirect, deleted }: Props) {
  const { t, tError } = useI18n();
  const router = useRouter();
  const providers = useProviders();
  const [identifier, setIdentifier] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [signedIn, setSignedIn] = useState(false);
  // email_not_verified without pending=link is also a link refused to an account whose own
  // email is not confirmed: its alert waits until we know which (the /account page says it).
  const maybeRefusedLink = error === "email_not_verified" && pending !== "link";
  const [checking, setChecking] = useState(maybeRefusedLink);
  const [withPasskeys, setWithPasskeys] = useState(false); // known in the browser only
  const conditional = useRef<{ abort: AbortController; settled: Promise<unknown> } | null>(null);

  // A failed link (started on /account) lands here too: the person is still signed in.
  useEffect(() => {
    if (!error) return;
    fetchMe()
      .then((user) => {
        if (maybeRefusedLink && user?.email && !user.emailVerified) {
          return router.replace(`/account?error=${encodeURIComponent(error)}`);
        }
        setSignedIn(Boolean(user));
        setChecking(false);
      })
      .catch(() => setChecking(false));
  }, [error, maybeRefusedLink, router]);

  // The passkey sign-in answers as a login does, with no second step: it goes where a login goes.
  const answerWithPasskey = useRef(async (credential: Record<string, unknown>) => {
    const result = await call(() => api.POST("/auth/passkeys/login", { body: { credential } }));
    if (result.ok) router.push(signedInPage(result.data.user, result.data.linkedProvider, redirect));
    else setFailure(result.failure);
    return result;
  });

  // Conditional UI: waits, for as long as the page is open, for a passkey picked in the
  // identifier field's suggestions. A refusal of its options (rate_limited, network) is not
  // the person's doing: nothing is said, the button and the password still work.
  const startConditional = useCallback(() => {
    const abort = new AbortController();
    const settled = conditionalAvailable().then((available) => available && !abort.signal.aborted ? getPasskey({
      options: (signal) => call(() => api.POST("/auth/passkeys/login/options", { signal })),
      answer: answerWithPasskey.current,
      signal: abort.signal,
      conditional: true,
    }) : null);
    conditional.current = { abort, settled };
    return abort;
  }, []);

  const linking = pending === "link" && provider; // completed by the password only
  useEffect(() => {
    setWithPasskeys(passkeysSupported());
    if (linking) return;
    const first = startConditional();
    return () => {
      first.abort();
      conditional.current?.abort.abort(); // one started again after the button
    };
  }, [linking, startConditional]);

  async function signInWithPasskey() {
    setBusy(true);
    setFailure(null);
    // One WebAuthn request at a time: the conditional one ends before the modal one starts.
    const waiting = conditional.current;
    conditional.current = null;
    waiting?.abort.abort();
    await waiting?.settled.catch(() => undefined);
    const result = await getPasskey({
      options: () => call(() => api.POST("/auth/passkeys/login/options")),
      answer: answerWithPasskey.current,
    });
    setBusy(false);
    if (result?.ok) return; // on its way where a login goes
    if (result) setFailure(result.failure);
    startConditional(); // the field's suggestions again, as before the button
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const result = await call(() => api.POST("/auth/login", { body: { emailOrUsername: identifier, password } }));
    setBusy(false);
    if (!result.ok && result.failure.code === "mfa_required") {
      // The password was right: the second step, with the mfa_challenge cookie the API set.
      const query = new URLSearchParams({ methods: (result.failure.methods ?? []).join(",") });
      if (redirect) query.set("redirect", redirect);
      router.push(`/auth/mfa?${query}`);
      return;
    }
    if (!result.ok) {
      setFailure(result.failure);
      return;
    }
    router.push(signedInPage(result.data.user, result.data.linkedProvider, redirect));
  }

  const names = (list: string[]) => list.map((name) => displayName(providers, name)).join(", ");

  return (
    <section className="card narrow">
      <h1>{t("login.title")}</h1>
      {deleted && <Status>{t("login.accountDeleted")}</Status>}
      {error && !failure && !checking && <Alert><p>{tError(error)}</p></Alert>}
      {error && signedIn && <p><Link href="/account">{t("common.account")}</Link></p>}
      {linking && <Status>{t("login.pendingLink", { provider: displayName(providers, provider) })}</Status>}
      {failure?.code === "social_only" ? (
        <Alert>
          <p>{t("login.socialOnly", { providers: names(failure.providers ?? []) })}</p>
        </Alert>
      ) : failure?.code === "account_locked" ? (
        <LockedAlert failure={failure} />
      ) : (
        <FailureAlert failure={failure} />
      )}
      {/* Without JavaScript the form posts itself to the API, which answers with a redirect
          to /dashboard, /auth/finish, /auth/mfa or /auth/login?error= (its HTML-form login). */}
      <form method="post" action={`${API_BASE}/auth/login`} onSubmit={submit} noValidate>
        <Field label={t("login.identifier")} name="emailOrUsername" autoComplete="username webauthn" required
          value={identifier} onChange={(e) => setIdentifier(e.target.value)} />
        <Field label={t("common.password")} name="password" type="password" autoComplete="current-password"
          required value={password} onChange={(e) => setPassword(e.target.value)} />
        <div className="actions">
          <button type="submit" disabled={busy}>{t("login.submit")}</button>
          <Link href="/forgot-password">{t("common.forgot")}</Link>
        </div>
      </form>
      {withPasskeys && !linking && (
        <div className="providers">
          <button type="button" className="secondary" disabled={busy} onClick={signInWithPasskey}>
            {t("login.passkey")}
          </button>
        </div>
      )}
      {!linking && (
        <ProviderButtons only={failure?.code === "social_only" ? failure.providers : undefined} redirect={redirect} />
      )}
      <p className="footer-links">
        {t("login.noAccount")}
        <Link href="/register">{t("common.register")}</Link>
      </p>
    </section>
  );
}
