"use client";
// The few building blocks of every form: a labelled field, an alert, a status line.
import { useId } from "react";

import type { Failure } from "@/api/call";
import { useI18n } from "@/lib/i18n";

type FieldProps = React.InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string };

export function Field({ label, hint, ...input }: FieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} aria-describedby={hint ? `${id}-hint` : undefined} />
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function Alert({ children }: { children: React.ReactNode }) {
  return children ? (
    <div role="alert" className="alert">
      {children}
    </div>
  ) : null;
}

export function Status({ children }: { children: React.ReactNode }) {
  return children ? (
    <p role="status" className="status">
      {children}
    </p>
  ) : null;
}

/** An API failure in words: the code's message, and for invalid_request which fields are wrong. */
export function FailureAlert({ failure }: { failure: Failure | null | undefined }) {
  const { tError, tField } = useI18n();
  if (!failure) return null;
  return (
    <Alert>
      <p>{tError(failure.code)}</p>
      {failure.fields && failure.fields.length > 0 && (
        <ul>
          {failure.fields.map((f) => (
            <li key={f.field}>{tField(f)}</li>
          ))}
        </ul>
      )}
    </Alert>
  );
}

/** account_locked, with how long the lock lasts (its Retry-After), at a login or its second step. */
export function LockedAlert({ failure }: { failure: Failure }) {
  const { t } = useI18n();
  const minutes = Math.max(1, Math.ceil((failure.retryAfter ?? 900) / 60));
  return <Alert><p>{t("login.locked", { minutes })}</p></Alert>;
}

/** While a page that needs the session asks who is signed in (or why it could not). */
export function Loading({ failed = false }: { failed?: boolean }) {
  const { t, tError } = useI18n();
  if (failed) return <Alert><p>{tError("network")}</p></Alert>;
  return <p role="status" className="status muted">{t("common.loading")}</p>;
}
