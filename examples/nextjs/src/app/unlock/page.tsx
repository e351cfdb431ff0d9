import { first, type SearchParams } from "@/lib/paths";
import { TokenActionView } from "@/views/TokenActionView";

export default async function UnlockPage({ searchParams }: { searchParams: SearchParams }) {
  return <TokenActionView action="unlock" token={first((await searchParams).token)} />;
}
