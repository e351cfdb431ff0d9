"use client";
// Fresh authentication: a sensitive action (turning two-step verification on or off, new
// recovery codes, adding or removing a passkey, unlinking a provider, an email or first
// password without a password) may answer 403 reauth_required with the methods this account
// can prove itself with. useFresh() opens the dialog then, and once the person has proven it,
// sends the same request again.
import { createContext, useCallback, useContext, useState } from "react";

import { authed, type Result } from "@/api/call";
import { ReauthDialog } from "@/components/ReauthDialog";

type Answer<T> = { data?: T; error?: unknown; response: Response };
type Ask = (methods: string[]) => Promise<boolean>; // true once the session is fresh again

const ReauthContext = createContext<Ask | null>(null);

export function ReauthProvider({ children }: { children: React.ReactNode }) {
  const [asking, setAsking] = useState<{ methods: string[]; resolve: (fresh: boolean) => void } | null>(null);
  const ask = useCallback<Ask>((methods) => new Promise((resolve) => setAsking({ methods, resolve })), []);
  return (
    <ReauthContext.Provider value={ask}>
      {children}
      {asking && (
        <ReauthDialog methods={asking.methods} onDone={(fresh) => {
          asking.resolve(fresh);
          setAsking(null);
        }} />
      )}
    </ReauthContext.Provider>
  );
}

/** authed(), plus the re-authentication dialog on reauth_required and one retry after it.
 *  A closed dialog leaves the reauth_required failure for the section to show. */
export function useFresh() {
  const ask = useContext(ReauthContext);
  return useCallback(async <T,>(request: () => Promise<Answer<T>>): Promise<Result<T>> => {
    const first = await authed(request);
    if (first.ok || first.failure.code !== "reauth_required" || !ask) return first;
    return (await ask(first.failure.methods ?? [])) ? authed(request) : first;
  }, [ask]);
}
