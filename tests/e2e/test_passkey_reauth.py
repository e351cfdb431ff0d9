"""Re-authentication by passkey over HTTP, with the software authenticator: the options of this
session, the fresh session a right answer gives, and wrong, foreign and replayed answers
refused and counted toward the account's lock."""

from datetime import UTC, datetime, timedelta

from tests.e2e.test_fresh_authentication import REAUTH_MAX_AGE, assert_reauth_required, go_stale, reauth
from tests.e2e.test_passkeys import account_with_a_passkey, authenticator, register_passkey, sign_in
from tests.e2e.test_pending_link import user_id
from tests.support.http import PASSWORD, assert_error, fresh_client, prove_email, register
from tests.support.passkey_authenticator import b64url


async def reauth_options(client) -> dict:
    options = await client.post("/auth/reauth/passkey/options")
    assert options.status_code == 200, options.text
    return options.json()


async def test_a_passkey_makes_a_stale_session_fresh(client, mail, db, new_email):
    email, key, _ = await account_with_a_passkey(client, mail, new_email)
    await go_stale(db, email)
    assert_reauth_required(await client.post("/auth/mfa/totp/setup"), ["password", "passkey"])
    options = await reauth_options(client)
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(key.credential_id)]
    assert options["userVerification"] == "required"
    before = datetime.now(UTC)
    answer = await reauth(client, credential=key.get(options))
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"ok", "freshUntil"}
    fresh_until = datetime.fromisoformat(answer.json()["freshUntil"])
    assert before + REAUTH_MAX_AGE - timedelta(seconds=5) <= fresh_until <= datetime.now(UTC) + REAUTH_MAX_AGE
    assert (await client.post("/auth/mfa/totp/setup")).status_code == 200
    rows = await db.fetch("SELECT detail FROM security_events WHERE user_id = $1 AND kind = 'reauthenticated'",
                          await user_id(db, email))
    assert [row["detail"] for row in rows] == ['{"methods": ["passkey"]}']


async def test_wrong_foreign_and_replayed_answers_are_refused(client, server, mail, db, new_email):
    email, key, _ = await account_with_a_passkey(client, mail, new_email)
    async with fresh_client(server) as other:
        _, others_key, _ = await account_with_a_passkey(other, mail, new_email)
    await go_stale(db, email)
    for spoiled in [{"forge": True}, {"rp_id": "evil.example"}, {"verified": False}]:
        refused = await reauth(client, credential=key.get(await reauth_options(client), **spoiled))
        assert_error(refused, 400, "invalid_code")
    assert_error(await reauth(client, credential=others_key.get(await reauth_options(client))), 400, "invalid_code")
    options = await reauth_options(client)
    credential = key.get(options)
    assert (await reauth(client, credential=credential)).status_code == 200
    assert_error(await reauth(client, credential=credential), 400, "invalid_code")  # its challenge is used up
    await reauth_options(client)
    assert_error(await reauth(client, credential=credential), 400, "invalid_code")  # and not the new one's
    # A counter that went back is refused, and on record as at a sign-in.
    assert_error(await reauth(client, credential=key.get(await reauth_options(client), sign_count=1)), 400,
                 "invalid_code")
    clones = await db.fetchval("SELECT count(*) FROM security_events WHERE user_id = $1 AND kind = 'mfa_failed' "
                               "AND detail->>'reason' = 'sign_count'", await user_id(db, email))
    assert clones == 1


async def test_the_options_of_one_session_are_not_anothers(client, server, mail, db, new_email):
    email, key, _ = await account_with_a_passkey(client, mail, new_email)
    options = await reauth_options(client)
    async with fresh_client(server) as other_session:
        assert (await sign_in(other_session, key)).status_code == 200
        await go_stale(db, email)
        assert_error(await reauth(other_session, credential=key.get(options)), 400, "invalid_code")
    assert (await reauth(client, credential=key.get(options))).status_code == 200  # still this session's


async def test_wrong_answers_count_toward_the_account_lock(client, server, mail, new_email):
    _, key, _ = await account_with_a_passkey(client, mail, new_email)
    for _ in range(10):
        refused = await reauth(client, credential=key.get(await reauth_options(client), forge=True))
        assert_error(refused, 400, "invalid_code")
    locked = await reauth(client, credential=key.get(await reauth_options(client)))
    assert_error(locked, 423, "account_locked")
    assert int(locked.headers["retry-after"]) > 0


async def test_the_body_and_the_account_must_fit(client, server, mail, new_email):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    assert_error(await client.post("/auth/reauth/passkey/options"), 404, "not_found")  # no passkey yet
    key = authenticator()
    await register_passkey(client, key)
    await reauth_options(client)
    assert_error(await reauth(client, credential={"id": "x"}), 400, "invalid_code")  # no assertion: refused
    credential = key.get(await reauth_options(client))
    assert_error(await reauth(client, credential=credential, password=PASSWORD), 400, "invalid_request")
    assert_error(await reauth(client, credential={}), 400, "invalid_code")  # counted, uses the options up
    assert_error(await reauth(client, credential=credential), 400, "invalid_code")
    assert (await reauth(client, credential=key.get(await reauth_options(client)))).status_code == 200
    async with fresh_client(server) as nobody:
        assert_error(await nobody.post("/auth/reauth/passkey/options"), 401, "not_authenticated")
        assert_error(await reauth(nobody, credential=credential), 401, "not_authenticated")
