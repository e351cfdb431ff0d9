import { first, type SearchParams } from "@/lib/paths";
import { VerifyPhoneView } from "@/views/VerifyPhoneView";

export default async function VerifyPhonePage({ searchParams }: { searchParams: SearchParams }) {
  return <VerifyPhoneView phone={first((await searchParams).phone)} />;
}
