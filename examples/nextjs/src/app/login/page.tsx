import { first, safeRedirect, type SearchParams } from "@/lib/paths";
import { LoginView } from "@/views/LoginView";

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const q = await searchParams;
  return <LoginView error={first(q.error)} redirect={safeRedirect(first(q.redirect)) ?? undefined}
    deleted={first(q.deleted) === "1"} />;
}
