"use client";
// /reset-password?token=...: the page of the mailed reset link (without a token, the way to ask for one).
import { Alert } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { AskAgain, ResetPasswordForm } from "./ResetPasswordForm";

export function ResetPasswordView({ token }: { token?: string }) {
  const { t, tError } = useI18n();
  return (
    <section className="card narrow">
      <h1>{t("reset.title")}</h1>
      {token ? (
        <ResetPasswordForm token={token} />
      ) : (
        <>
          <Alert><p>{tError("missing_token")}</p></Alert>
          <AskAgain />
        </>
      )}
    </section>
  );
}
