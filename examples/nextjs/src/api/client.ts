// The typed client: paths and bodies come from src/api/schema.d.ts, generated from the API's
// OpenAPI schema (openapi.json) by `npm run gen:api` (`make client` at the repository's root).
import createClient from "openapi-fetch";

import { API_BASE, DEFAULT_LANG, type Lang } from "@/lib/config";
import type { components, paths } from "./schema";

export type User = components["schemas"]["UserOut"];
export type SessionInfo = components["schemas"]["SessionOut"];
export type SecurityEvent = components["schemas"]["EventOut"];
export type LinkedAccount = components["schemas"]["AccountOut"];
export type Undone = components["schemas"]["UndoneOut"];
export type Passkey = components["schemas"]["PasskeyOut"];

// Cookies (sid, refresh_token) go with every call: the API is another origin of the same site.
export const api = createClient<paths>({ baseUrl: API_BASE, credentials: "include" });

// The API writes emails and WhatsApp messages in the request's language (until the profile
// has one): send the page's, not the browser's.
let language: Lang = DEFAULT_LANG;
export function setApiLanguage(lang: Lang) {
  language = lang;
}
api.use({
  onRequest({ request }) {
    request.headers.set("Accept-Language", language);
    return request;
  },
});
