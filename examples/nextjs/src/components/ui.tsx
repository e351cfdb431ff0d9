"use client";
// The few building blocks of every form: a labelled field, an alert, a status line.
import { useId } from "react";

import type { Failure } from "@/api/call";
import { useI18n } from "@/lib/i18n";

type FieldProps = React.InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  hint?: string;
  error?: string | null; // what is wrong with this field's value, said under it
};

export function Field({ label, hint, error, ...input }: FieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} aria-invalid={error ? true : undefined} aria-describedby={described || undefined} />
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

const PASSWORD_REFUSALS = new Set(["weak_password", "breached_password"]);

/** A refusal of the new password itself (too weak, or in known data breaches): said under the
 *  password field, while the other failures stay above the form. */
export function passwordRefusal(failure: Failure | null | undefined): Failure | null {
  return failure && PASSWORD_REFUSALS.has(failure.code) ? failure : null;
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
