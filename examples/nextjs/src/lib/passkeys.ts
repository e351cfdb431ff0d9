// The passkey ceremonies of every button (sign-in, second step, re-authentication, adding one):
// the API's options (the WebAuthn Level 3 JSON forms) go to navigator.credentials through
// PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON, and the
// credential goes back as its toJSON(), unchanged. A ceremony the person cancels (or that was
// aborted for another one) ends quietly: null, no failure to show.
import type { Failure, Result } from "@/api/call";

type Json = Record<string, unknown>;

/** The outcome of a ceremony: the API's answer to the credential, or null when the person
 *  cancelled (NotAllowedError) or the ceremony was aborted. */
export type Ceremony<T> = Result<T> | null;

type Steps<T> = {
  options: (signal?: AbortSignal) => Promise<Result<Json>>; // POST .../options
  answer: (credential: Json) => Promise<Result<T>>; // the credential to the API
  signal?: AbortSignal;
};

/** Whether this browser can run a passkey ceremony from JSON options at all. */
export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && typeof window.PublicKeyCredential?.parseRequestOptionsFromJSON === "function";
}

/** Whether the browser offers passkeys among the identifier field's suggestions (conditional UI). */
export async function conditionalAvailable(): Promise<boolean> {
  if (!passkeysSupported() || typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") return false;
  return PublicKeyCredential.isConditionalMediationAvailable().catch(() => false);
}

/** navigator.credentials.create() with the API's creation options, then `answer`. */
export function createPasskey<T>(steps: Steps<T>): Promise<Ceremony<T>> {
  return ceremony(steps, async (options, signal) => navigator.credentials.create({
    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options as unknown as PublicKeyCredentialCreationOptionsJSON),
    signal,
  }));
}

/** navigator.credentials.get() with the API's request options, then `answer`: a modal ceremony,
 *  or with `conditional` the one that waits for the person to pick a passkey in the
 *  identifier field's suggestions (until `signal` aborts it). */
export function getPasskey<T>(steps: Steps<T> & { conditional?: boolean }): Promise<Ceremony<T>> {
  return ceremony(steps, async (options, signal) => navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options as unknown as PublicKeyCredentialRequestOptionsJSON),
    mediation: steps.conditional ? "conditional" : "optional",
    signal,
  }));
}

async function ceremony<T>(
  { options, answer, signal }: Steps<T>,
  run: (options: Json, signal?: AbortSignal) => Promise<Credential | null>,
): Promise<Ceremony<T>> {
  if (!passkeysSupported()) return refused("passkey_unsupported");
  const asked = await options(signal);
  if (signal?.aborted) return null;
  if (!asked.ok) return asked;
  let credential: Credential | null;
  try {
    credential = await run(asked.data, signal);
  } catch (error) {
    return browserRefusal(error);
  }
  if (!(credential instanceof PublicKeyCredential)) return null;
  return answer(credential.toJSON() as Json);
}

/** What the browser's refusal means for the person: nothing to say when they cancelled. */
function browserRefusal(error: unknown): Ceremony<never> {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "AbortError") return null; // cancelled, timed out, or aborted
  if (name === "InvalidStateError") return refused("passkey_exists"); // this authenticator holds one already
  return refused("passkey_failed");
}

function refused(code: string): { ok: false; failure: Failure } {
  return { ok: false, failure: { status: 0, code } };
}
