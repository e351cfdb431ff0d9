import { first, type SearchParams } from "@/lib/paths";
import { AccountView } from "@/views/AccountView";

export default async function AccountPage({ searchParams }: { searchParams: SearchParams }) {
  return <AccountView error={first((await searchParams).error)} />;
}
