import { first, type SearchParams } from "@/lib/paths";
import { VerifyEmailView } from "@/views/VerifyEmailView";

export default async function VerifyEmailPage({ searchParams }: { searchParams: SearchParams }) {
  return <VerifyEmailView token={first((await searchParams).token)} />;
}
