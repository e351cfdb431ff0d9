// Who is signed in, with refresh done once for the whole browser.
//
// The sid cookie lives 15 minutes; the refresh_token cookie rotates on every use. When several
// tabs find their sid expired at the same moment, only one of them may refresh: the others
// would present a token that was just rotated. So the refresh runs under a Web Lock shared by
// every tab of the origin, and whoever gets the lock first asks /auth/me again before
// refreshing: if another tab refreshed meanwhile, its new sid cookie is already ours.
// (The API also accepts a rotated token again for REFRESH_REUSE_GRACE seconds, which covers
// browsers without Web Locks.)
import { api, type User } from "@/api/client";

const LOCK = "sesame-refresh";
const CHANNEL = "sesame-session";

/** GET /auth/me: the user, or null without a valid sid (it never answers 401). */
export async function fetchMe(): Promise<User | null> {
  const { data, response } = await api.GET("/auth/me");
  if (!response.ok || !data) throw new Error(`GET /auth/me answered ${response.status}`);
  return data.user ?? null;
}

/** POST /auth/refresh: true when the session was renewed, false when it is over (401). */
async function refresh(): Promise<boolean> {
  const { response } = await api.POST("/auth/refresh");
  if (response.ok) return true;
  if (response.status === 401) return false; // no_refresh_token, invalid_refresh: signed out
  throw new Error(`POST /auth/refresh answered ${response.status}`);
}

function withBrowserLock<T>(task: () => Promise<T>): Promise<T> {
  if (typeof navigator !== "undefined" && navigator.locks?.request) {
    return navigator.locks.request(LOCK, task) as Promise<T>; // resolves to what task resolves to
  }
  return task();
}

let inFlight: Promise<User | null> | null = null; // one refresh per tab, whoever asks

/** Renews the session once for all tabs, then answers who is signed in (null: signed out). */
export function refreshSession(): Promise<User | null> {
  inFlight ??= withBrowserLock(async () => {
    const user = await fetchMe(); // another tab may have refreshed while we waited
    if (user) return user;
    if (!(await refresh())) return null;
    return fetchMe();
  }).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/** The signed-in user: /auth/me, and when it answers {"user": null}, one refresh and /auth/me again. */
export async function currentUser(): Promise<User | null> {
  return (await fetchMe()) ?? refreshSession();
}

function channel(): BroadcastChannel | null {
  return typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL);
}

/** Signs out here and tells the other tabs, which go to /login too. */
export async function signOut(): Promise<void> {
  await api.POST("/auth/logout").catch(() => undefined);
  const tabs = channel();
  tabs?.postMessage("signed-out");
  tabs?.close();
  signedOut();
}

/** The account was deleted (its cookies are cleared already): the other tabs go to /login, this
 *  one too, where it says so. */
export function accountDeleted(): void {
  const tabs = channel();
  tabs?.postMessage("signed-out");
  tabs?.close();
  window.location.assign("/login?deleted=1");
}

/** The session is over: to the login page. */
export function signedOut(): void {
  if (typeof window !== "undefined" && window.location.pathname !== "/login") {
    window.location.assign("/login");
  }
}

/** Calls `onSignedOut` when another tab signs out; returns the unsubscribe function. */
export function onSignOutElsewhere(onSignedOut: () => void): () => void {
  const tabs = channel();
  if (!tabs) return () => undefined;
  tabs.onmessage = (event) => {
    if (event.data === "signed-out") onSignedOut();
  };
  return () => tabs.close();
}
