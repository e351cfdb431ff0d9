"use client";
// The signed-in user for a page that needs one: loaded with lib/session.ts (one refresh when
// the sid expired); nobody signed in, or a sign-out in another tab, goes to /login.
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";

import type { User } from "@/api/client";
import { currentUser, onSignOutElsewhere } from "./session";

export function useUser() {
  const router = useRouter();
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [failed, setFailed] = useState(false);

  const reload = useCallback(async () => {
    try {
      const found = await currentUser();
      setUser(found);
      if (!found) router.replace("/login");
    } catch {
      setFailed(true);
    }
  }, [router]);

  useEffect(() => {
    void reload();
    return onSignOutElsewhere(() => router.replace("/login"));
  }, [reload, router]);

  return { user, setUser, reload, failed };
}
