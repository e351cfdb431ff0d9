"""Exporting an account's data and deleting the account, over HTTP. An account is given
something in every table that refers to a user; its export must hold each table's data (or
a written reason why not) and no secret; after its deletion, no row of any table holds its
id, email, username or phone number but the last notice in the outbox."""

import base64
import re
import uuid

from infrastructure.persistence.tables import UserRow
from tests.e2e.test_fresh_authentication import assert_reauth_required, go_stale
from tests.e2e.test_google_sign_in import me, person, sign_in_with_google
from tests.e2e.test_passkeys import authenticator, register_passkey, sign_in
from tests.e2e.test_pending_link import refused_with_a_pending_link, user_id
from tests.e2e.test_phone_verification import a_number
from tests.e2e.test_second_factor import turn_on_totp
from tests.support.http import (
    PASSWORD, assert_error, fresh_client, login, me_with_sid, prove_email, refresh_with, register,
    session_cookies, set_cookies,
)

METADATA = UserRow.metadata


def not_exported(why: str) -> str:
    return f"not exported: {why}"


# Every table that refers to a user (a foreign key to users.id, a column named user_id or
# *_user_id, or a foreign key to such a table): the key of the export that shows its data, or
# why it has none. A new table fails test_every_table_that_refers_to_a_user_has_an_export_decision
# until it is given one here (and in docs/api.md, under GET /auth/account/export).
EXPORT_OF_TABLE = {
    "users": "user",
    "profiles": "user",
    "accounts": "accounts",
    "sessions": "sessions",
    "session_sids": not_exported("digests of the sid cookies of the sessions listed"),
    "refresh_tokens": not_exported("digests of the refresh cookies of the sessions listed"),
    "security_events": "events",
    "passkeys": "passkeys",
    "passkey_user_handles": not_exported("a random handle authenticators know the account by, "
                                         "meaningless outside the service"),
    "totp_secrets": "secondFactor",
    "recovery_codes": "secondFactor",
    "verification_tokens": "pendingEmailChange",  # the others are digests of mailed links
    "verification_codes": not_exported("digests of the WhatsApp codes sent to the user's number"),
    "oauth_flows": not_exported("a provider round trip under way (10 minutes): its secrets"),
    "pending_links": not_exported("a provider identity waiting 10 minutes for the password in one "
                                  "browser, encrypted; once linked it is in accounts"),
    "mfa_challenges": not_exported("a sign-in's second step under way (5 minutes): a digest"),
    "webauthn_challenges": not_exported("a passkey ceremony under way (5 minutes)"),
}
EXPORT_KEYS = {"user", "accounts", "sessions", "events", "passkeys", "secondFactor",
               "pendingEmailChange", "exportedAt"}
# What a table's column holds that the export must never show, whatever its form.
SECRET_COLUMNS = re.compile(r"hash|token|secret|key|handle|identity|nonce|verifier|challenge|credential")


def tables_referring_to_users() -> set[str]:
    found = {"users"}
    while True:
        more = {
            table.name for table in METADATA.sorted_tables
            if any(fk.column.table.name in found for fk in table.foreign_keys)
            or any(column.name == "user_id" or column.name.endswith("_user_id") for column in table.columns)
        } - found
        if not more:
            return found
        found |= more


def test_every_table_that_refers_to_a_user_has_an_export_decision():
    assert tables_referring_to_users() == set(EXPORT_OF_TABLE)
    assert {key for key in EXPORT_OF_TABLE.values() if not key.startswith("not exported")} <= EXPORT_KEYS


async def account_rows(db, uid: uuid.UUID) -> dict[str, list[dict]]:
    """Each table's rows that refer to the user, directly or through its sessions."""
    rows = {}
    for name in EXPORT_OF_TABLE:
        table = METADATA.tables[name]
        if name == "users":
            where = "id = $1"
        elif "session_id" in table.columns:
            where = "session_id IN (SELECT id FROM sessions WHERE user_id = $1)"
        else:
            where = " OR ".join(f"{c.name} = $1" for c in table.columns
                                if c.name == "user_id" or c.name.endswith("_user_id"))
        rows[name] = [dict(row) for row in await db.fetch(f"SELECT * FROM {name} WHERE {where}", uid)]
    return rows


def forms(value) -> set[str]:
    """The ways a stored value could show up in JSON."""
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
        return {raw.hex(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    return {str(value)} if value else set()


async def full_account(client, server, mail, whatsapp, idp, new_email) -> dict:
    """A signed-in account with something in every table that refers to a user."""
    email, username, number = new_email(), f"end_{uuid.uuid4().hex[:10]}", a_number()
    registered = await register(client, email, username=username, firstname="Ada", lastname="Lovelace")
    assert registered.status_code == 201, registered.text
    await prove_email(client, mail, email)
    async with fresh_client(server) as elsewhere:  # a second session, signed in elsewhere
        other_sid, _ = session_cookies(await login(elsewhere, email))
    async with fresh_client(server) as stranger:  # a pending link (an unverified Google email)
        await refused_with_a_pending_link(stranger, idp, email)
    assert (await client.patch("/auth/profile", json={"phoneNumber": number})).status_code == 200
    assert (await client.post("/auth/phone/verify/request")).status_code == 202
    code = (await whatsapp.wait_for(to=number)).code
    assert (await client.post("/auth/phone/verify", json={"code": code})).status_code == 200
    google_sub, claims = person(email=f"g-{email}")
    linked = await sign_in_with_google(client, idp, google_sub, claims, link="true")
    assert "linked=true" in linked.headers["location"]
    key = authenticator()
    await register_passkey(client, key)
    assert (await client.post("/auth/passkeys/register/options")).status_code == 200  # a ceremony left open
    app, codes = await turn_on_totp(client)
    new_address = f"new-{email}"
    assert (await client.post("/auth/email/change", json={"email": new_address, "password": PASSWORD})
            ).status_code == 202
    async with fresh_client(server) as third:  # a second step left unanswered
        assert_error(await login(third, email), 401, "mfa_required")
    assert (await client.get("/auth/google", params={"link": "true"})).status_code == 302  # a flow under way
    # A wrong password from this browser: counted under its device's key, which names the account.
    assert_error(await login(client, email, "not-the-password-1"), 401, "invalid_credentials")
    return {"email": email, "username": username, "number": number, "other_sid": other_sid,
            "totp_key": base64.b32encode(app.key).decode().rstrip("="), "codes": codes,
            "new_address": new_address, "passkey": key}


async def test_the_export_holds_every_tables_data_and_no_secret(client, server, mail, whatsapp, idp, db, new_email):
    account = await full_account(client, server, mail, whatsapp, idp, new_email)
    uid = await user_id(db, account["email"])
    rows = await account_rows(db, uid)
    assert [name for name, found in rows.items() if not found] == []  # every table is tried

    answer = await client.get("/auth/account/export")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert re.fullmatch(r'attachment; filename="account-data-\d{4}-\d{2}-\d{2}\.json"',
                        answer.headers["content-disposition"])
    data = answer.json()
    assert set(data) == EXPORT_KEYS
    user = data["user"]
    assert (user["id"], user["email"], user["username"], user["phoneNumber"]) == (
        str(uid), account["email"], account["username"], account["number"])
    assert user["emailVerifiedAt"] and user["phoneVerifiedAt"] and user["hasPassword"] is True
    assert user["profile"]["firstname"] == "Ada" and user["createdAt"]
    assert [(a["provider"], a["email"]) for a in data["accounts"]] == [("google", f"g-{account['email']}")]
    assert len(data["sessions"]) == len(rows["sessions"]) >= 2
    assert sum(s["current"] for s in data["sessions"]) == 1
    kinds = {event["kind"] for event in data["events"]}
    assert {"signed_in", "email_verified", "phone_verified", "provider_linked", "passkey_added",
            "mfa_enabled", "email_change_requested"} <= kinds
    assert len(data["events"]) == len(rows["security_events"])
    assert [p["name"] for p in data["passkeys"]] == [row["name"] for row in rows["passkeys"]]
    assert data["secondFactor"] == {"totp": True, "recoveryCodesLeft": 10}
    assert data["pendingEmailChange"]["email"] == account["new_address"]

    secrets = {account["totp_key"], account["other_sid"], *account["codes"],
               *set_cookies_of(client).values()}
    for name, found in rows.items():
        for row in found:
            for column, value in row.items():
                if SECRET_COLUMNS.search(column) and value is not None:
                    secrets |= forms(value)
    secrets = {secret for secret in secrets if len(secret) >= 6}
    text = answer.text
    leaked = [secret for secret in secrets if secret in text or secret.lower() in text.lower()]
    assert leaked == []
    assert "$argon2" not in text and "v1:" not in text


def set_cookies_of(client) -> dict[str, str]:
    return {cookie.name: cookie.value for cookie in client.cookies.jar}


async def test_deletion_erases_every_row_of_the_account_and_frees_its_identifiers(
        client, server, server_log, mail, whatsapp, idp, db, new_email):
    account = await full_account(client, server, mail, whatsapp, idp, new_email)
    email = account["email"]
    uid = await user_id(db, email)
    cookies = set_cookies_of(client)
    sid, refresh = cookies["sid"], cookies["refresh_token"]

    answer = await client.delete("/auth/account")
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    cleared = set_cookies(answer)
    assert set(cleared) == {"sid", "refresh_token", "device"}
    assert all(c["value"] == "" and c["max-age"] == "0" for c in cleared.values())
    assert (cleared["sid"]["path"], cleared["refresh_token"]["path"], cleared["device"]["path"]) == ("/", "/auth", "/auth")

    # Every session is dead at once: this one, the other browser's, and the refresh token.
    assert (await me_with_sid(server, sid)).json() == {"user": None}
    assert (await me_with_sid(server, account["other_sid"])).json() == {"user": None}
    async with fresh_client(server, f"sid={sid}") as old:
        assert_error(await old.get("/auth/sessions"), 401, "not_authenticated")
        assert_error(await old.get("/auth/account/export"), 401, "not_authenticated")
        assert_error(await old.delete("/auth/account"), 401, "not_authenticated")
    assert (await refresh_with(server, refresh)).status_code == 401

    # The last notice, in the account's language (French by default), with no link.
    notice = await mail.wait_for(to=email)
    while "supprimé" not in notice.subject:
        notice = await mail.wait_for(to=email)
    assert "définitive" in notice.text and "token=" not in notice.text

    # No row of any table holds the account's id, email, username or number, but that notice.
    marks = {str(uid), uid.hex, email, account["username"], account["number"], account["new_address"]}
    holding = []
    for table in METADATA.sorted_tables:
        for row in await db.fetch(f"SELECT * FROM {table.name}"):
            found = {mark for mark in marks for value in row.values()
                     if value is not None and (mark in str(value) or mark.lower() in str(value).lower()
                                               or (isinstance(value, bytes) and uid.bytes in value))}
            if found:
                holding.append((table.name, dict(row).get("template"), dict(row).get("recipient")))
    assert holding == [("outbox_messages", "account_deleted", email)]

    # One security line says an account was deleted, and nothing of which: no log line has the email.
    log = server_log.read_text(encoding="utf-8", errors="replace")
    deleted = [line for line in log.splitlines() if "account_deleted" in line]
    assert deleted and not [line for line in deleted if str(uid) in line or uid.hex in line]
    assert email not in log

    # The identifiers are free at once, and the old password and passkey open nothing.
    async with fresh_client(server) as anyone:
        assert_error(await login(anyone, email), 401, "invalid_credentials")
        assert_error(await sign_in(anyone, account["passkey"]), 401, "invalid_passkey")
        again = await register(anyone, email, username=account["username"])
        assert again.status_code == 201, again.text
        assert (await anyone.patch("/auth/profile", json={"phoneNumber": account["number"]})).status_code == 200
        assert (await me(anyone))["id"] != str(uid)


async def test_both_need_a_fresh_session_and_a_stale_one_changes_nothing(client, server, mail, db, new_email):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    await go_stale(db, email)
    assert_reauth_required(await client.get("/auth/account/export"), ["password"])
    assert_reauth_required(await client.delete("/auth/account"), ["password"])
    assert (await me(client))["email"] == email
    assert (await client.post("/auth/reauth", json={"password": PASSWORD})).status_code == 200
    assert (await client.get("/auth/account/export")).status_code == 200
    assert (await client.delete("/auth/account")).status_code == 200
    assert await user_id(db, email) is None


async def test_without_a_session(server):
    async with fresh_client(server) as anonymous:
        assert_error(await anonymous.get("/auth/account/export"), 401, "not_authenticated")
        assert_error(await anonymous.delete("/auth/account"), 401, "not_authenticated")


async def test_a_social_only_account_is_deleted_and_its_provider_identity_signs_up_anew(client, idp, db):
    sub, claims = person()
    await sign_in_with_google(client, idp, sub, claims)
    first = (await me(client))["id"]
    assert (await client.get("/auth/account/export")).json()["accounts"][0]["provider"] == "google"
    assert (await client.delete("/auth/account")).status_code == 200
    assert await db.fetchval("SELECT count(*) FROM accounts WHERE provider_account_id = $1", sub) == 0
    await sign_in_with_google(client, idp, sub, claims)
    assert (await me(client))["id"] != first

