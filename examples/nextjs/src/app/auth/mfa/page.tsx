// The second step of a sign-in. The login page comes here on 401 mfa_required, the HTML-form
// login with ?methods=totp,recovery_code, a provider sign-in with
// ?from=social&provider=<name>&methods=...; the mfa_challenge cookie is the API's.
import { first, safeRedirect, type SearchParams } from "@/lib/paths";
import { MfaView } from "@/views/MfaView";

export default async function MfaPage({ searchParams }: { searchParams: SearchParams }) {
  const q = await searchParams;
  return (
    <MfaView provider={first(q.provider)} methods={first(q.methods)}
      redirect={safeRedirect(first(q.redirect)) ?? undefined} />
  );
}
