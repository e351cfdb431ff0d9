import { first, type SearchParams } from "@/lib/paths";
import { TokenActionView } from "@/views/TokenActionView";

export default async function SecureAccountPage({ searchParams }: { searchParams: SearchParams }) {
  return <TokenActionView action="secure" token={first((await searchParams).token)} />;
}
