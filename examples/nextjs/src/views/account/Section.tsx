"use client";
// A titled region of /account (tests find each one by its heading: getByRole("region", { name })).
import { useId, useState } from "react";

import type { Failure, Result } from "@/api/call";

export function Section({ title, children }: { title: string; children: React.ReactNode }) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** The busy flag, the last failure and the last success message of a section's actions. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [done, setDone] = useState<string | null>(null);

  /** `request` may end in null: nothing happened and there is nothing to say (a passkey
   *  ceremony the person cancelled). */
  async function run<T>(request: () => Promise<Result<T> | null>, onOk: (data: T) => string | null | void) {
    setBusy(true);
    setFailure(null);
    setDone(null);
    const result = await request();
    setBusy(false);
    if (!result) return false;
    if (!result.ok) {
      setFailure(result.failure);
      return false;
    }
    setDone(onOk(result.data) ?? null);
    return true;
  }

  return { busy, failure, done, run };
}
