import { first, type SearchParams } from "@/lib/paths";
import { DashboardView } from "@/views/DashboardView";

export default async function DashboardPage({ searchParams }: { searchParams: SearchParams }) {
  const q = await searchParams;
  return <DashboardView linked={first(q.linked)} />;
}
