import { first, type SearchParams } from "@/lib/paths";
import { FinishView } from "@/views/FinishView";

export default async function FinishPage({ searchParams }: { searchParams: SearchParams }) {
  const q = await searchParams;
  return (
    <FinishView error={first(q.error)} providers={first(q.providers)} provider={first(q.provider)}
      linked={first(q.linked)} reauth={first(q.reauth)} redirect={first(q.redirect)} />
  );
}
