// The API's field errors ({field, message}, written in English) in the page's language: the
// field by its label, the message by its meaning. A message this table does not know reads
// "is not valid" in French, and as the API wrote it in English.
import type { FieldProblem } from "@/api/call";
import type { Lang } from "./config";
import type { MessageKey } from "./messages";

type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

const LABELS: Record<string, MessageKey> = {
  email: "common.email",
  emailOrUsername: "login.identifier",
  password: "common.password",
  newPassword: "common.newPassword",
  currentPassword: "account.currentPassword",
  firstname: "common.firstname",
  lastname: "common.lastname",
  username: "field.username",
  phoneNumber: "common.phone",
  photo: "field.photo",
  locale: "lang.label",
  code: "verifyPhone.code",
  token: "field.token",
  body: "field.body",
};

// Most specific first: "is required: ..." before "is required".
const MESSAGES: [RegExp, MessageKey][] = [
  [/^is required: this account has a password$/, "fieldError.requiredPassword"],
  [/^is required$/, "fieldError.required"],
  [/^is not a valid email address$/, "fieldError.email"],
  [/^has a domain that is not a valid domain name$/, "fieldError.domain"],
  [/^is not a valid phone number$/, "fieldError.phone"],
  [/^may hold only digits/, "fieldError.phoneCharacters"],
  [/^must not have an extension$/, "fieldError.phoneExtension"],
  [/^must be at most (?<n>\d+) characters once encoded$/, "fieldError.maxEncoded"],
  [/^must be at most (?<n>\d+) characters$/, "fieldError.maxCharacters"],
  [/^must be at least (?<n>\d+) characters$/, "fieldError.minCharacters"],
  [/^must be at most (?<n>\d+) bytes$/, "fieldError.maxBytes"],
  [/^must be (?<min>\d+) to (?<max>\d+) letters, digits, dots, dashes or underscores$/, "fieldError.username"],
  [/^must not contain control, format or invisible characters$/, "fieldError.invisible"],
  [/^must be an https URL$/, "fieldError.https"],
  [/^must not contain spaces$/, "fieldError.spaces"],
  [/^is not a valid URL$/, "fieldError.url"],
  [/^cannot be removed, only replaced$/, "fieldError.notRemovable"],
  [/^is already the account's email$/, "fieldError.sameEmail"],
  [/^give email or phoneNumber$/, "fieldError.emailOrPhone"],
  [/^give either email or phoneNumber, not both$/, "fieldError.notBoth"],
  [/^must be one of: (?<values>.+)$/, "fieldError.oneOf"],
  [/^must be between (?<low>-?[\d.]+) and (?<high>-?[\d.]+)\.?$/, "fieldError.between"],
  [/^is not allowed$/, "fieldError.notAllowed"],
  [/^must be of type (?<type>\w+)$/, "fieldError.type"],
  [/^must be sent as application\/json$/, "fieldError.notJson"],
];

export function describeField(problem: FieldProblem, t: Translate, lang: Lang): string {
  const label = LABELS[problem.field];
  const field = label ? t(label) : problem.field;
  for (const [pattern, key] of MESSAGES) {
    const match = pattern.exec(problem.message);
    if (match) return t("field.line", { field, message: t(key, match.groups) });
  }
  const message = lang === "en" ? problem.message : t("fieldError.invalid");
  return t("field.line", { field, message });
}
