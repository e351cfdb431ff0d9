// One shape for every answer the pages read: ok with its data, or a failure with the API's
// error code (or "network" when the API could not be reached).
import { refreshSession, signedOut } from "@/lib/session";

export type FieldProblem = { field: string; message: string };

export type Failure = {
  status: number;
  code: string;
  message?: string;
  fields?: FieldProblem[];
  providers?: string[];
  // with mfa_required (totp, recovery_code, passkey) and reauth_required (password, totp, passkey, providers)
  methods?: string[];
  retryAfter?: number; // seconds, with rate_limited and account_locked
};

export type Result<T> = { ok: true; data: T } | { ok: false; failure: Failure };

type Answer<T> = { data?: T; error?: unknown; response: Response };

export async function call<T>(request: () => Promise<Answer<T>>): Promise<Result<T>> {
  let answer: Answer<T>;
  try {
    answer = await request();
  } catch {
    return { ok: false, failure: { status: 0, code: "network" } };
  }
  const { response } = answer;
  if (response.ok) return { ok: true, data: answer.data as T };
  const body = (answer.error ?? {}) as Partial<Failure> & { error?: string };
  const retry = Number(response.headers.get("Retry-After"));
  return {
    ok: false,
    failure: {
      status: response.status,
      code: typeof body.error === "string" ? body.error : "unknown",
      message: body.message,
      fields: body.fields,
      providers: body.providers,
      methods: body.methods,
      retryAfter: Number.isFinite(retry) && retry > 0 ? retry : undefined,
    },
  };
}

/**
 * A call that needs the session: a 401 (the sid expired while the page was open) refreshes
 * the session once (shared by every tab, see lib/session.ts) and tries again; when the
 * refresh is refused too, the person is signed out and sent to /login.
 */
export async function authed<T>(request: () => Promise<Answer<T>>): Promise<Result<T>> {
  const first = await call(request);
  if (first.ok || first.failure.status !== 401 || first.failure.code !== "not_authenticated") return first;
  const user = await refreshSession().catch(() => null);
  if (!user) {
    signedOut();
    return first;
  }
  return call(request);
}
