// Where the API sends the browser when a provider sign-in fails:
// /auth/login?error=<code>[&provider=<name>&pending=link], and the HTML-form login's failures.
import { first, type SearchParams } from "@/lib/paths";
import { LoginView } from "@/views/LoginView";

export default async function AuthLoginPage({ searchParams }: { searchParams: SearchParams }) {
  const q = await searchParams;
  return <LoginView error={first(q.error)} provider={first(q.provider)} pending={first(q.pending)} />;
}
