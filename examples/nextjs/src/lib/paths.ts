/** A path on this site to go to after signing in, or null: never another origin (open redirect). */
export function safeRedirect(value: string | null | undefined): string | null {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  return value;
}

/** Where a signed-in user goes next: what their profile still lacks, else `redirect`, else the dashboard. */
export function nextPage(requiredActions: string[], redirect?: string | null): string {
  if (requiredActions.includes("complete_profile") || requiredActions.includes("add_email")) {
    return "/complete-profile";
  }
  return safeRedirect(redirect) ?? "/dashboard";
}

/** Where a completed sign-in goes (a login, or its second step): nextPage, or the dashboard's
 *  "linked" notice when a pending provider link was attached on the way. */
export function signedInPage(user: { requiredActions: string[] }, linkedProvider?: string | null,
  redirect?: string | null): string {
  const next = nextPage(user.requiredActions, redirect);
  return linkedProvider && next === "/dashboard" ? `/dashboard?linked=${encodeURIComponent(linkedProvider)}` : next;
}

export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
