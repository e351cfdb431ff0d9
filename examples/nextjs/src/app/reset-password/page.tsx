import { first, type SearchParams } from "@/lib/paths";
import { ResetPasswordView } from "@/views/ResetPasswordView";

export default async function ResetPasswordPage({ searchParams }: { searchParams: SearchParams }) {
  return <ResetPasswordView token={first((await searchParams).token)} />;
}
