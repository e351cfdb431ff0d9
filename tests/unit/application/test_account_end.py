"""GET /auth/account/export and DELETE /auth/account on fakes: the export asks every
repository for the account's data; the deletion erases it all in one transaction, frees the
identifiers, clears the counters that name the account, and sends one last notice."""

import dataclasses
import uuid
from datetime import timedelta

import pytest

from application.ports.messages import ACCOUNT_DELETED, NEW_DEVICE, Message
from application.services.login_guard import account_key, device_prefix
from domain import email_links
from domain.email_links import EmailLink
from domain.errors import NotAuthenticated, ReauthRequired
from domain.flows import PendingLink, ProviderFlow
from domain.codes import PhoneCode
from domain.identities import LinkedAccount, ProviderIdentity, ProviderTokens
from domain.passkeys import ChallengePurpose, new_challenge
from domain.users import Profile
from domain.second_factor import MfaChallenge
from tests.factories import UserFactory, passkey_of
from tests.unit.application.test_email_verification import new_session, sign_in
from tests.unit.application.test_totp_setup import go_stale
from tests.unit.conftest import CLIENT


async def full_account(world, **changes):
    """A signed-in account with something in every repository: (user, sid)."""
    user = UserFactory.build(**{
        "phone_number": "+33612345678", "phone_verified_at": world.clock.now(),
        "email_verified_at": world.clock.now(), "profile": Profile("Ada", "Lovelace", None, "en"), **changes,
    })
    sid = await sign_in(world, user)
    now, tag = world.clock.now(), user.id.bytes[:4]  # keys of one account's rows, unique
    async with world.new_uow() as uow:
        await uow.linked_accounts.add(LinkedAccount(
            uuid.uuid4(), user.id, "google", f"google-subject-{tag.hex()}", now, "ada@gmail.example",
            ProviderTokens(access_token="google-access-token", refresh_token="google-refresh-token"),
        ))
        await uow.passkeys.keep_user_handle(user.id, tag * 16)
        await uow.passkeys.add(passkey_of(user, credential_id=tag))
        await uow.totp.set_pending(user.id, b"totp-secret-bytes", now)
        await uow.totp.enable(user.id, 1, now)
        await uow.recovery_codes.replace(user.id, [b"code-digest-1", b"code-digest-2"], now)
        await uow.mfa_challenges.add(MfaChallenge(tag + b"mfa", user.id, "password", "lock", now,
                                                  now + timedelta(minutes=5)))
        await uow.webauthn_challenges.add(new_challenge(tag * 8, ChallengePurpose.REAUTH, tag, now, user.id,
                                                        timedelta(minutes=5)))
        await uow.pending_links.add(PendingLink(tag, user.id, ProviderIdentity("github", "gh-1"), now,
                                                now + timedelta(minutes=10)))
        await uow.flows.add(ProviderFlow(tag, tag, "github", "nonce", "verifier", now,
                                         now + timedelta(minutes=10), link_user_id=user.id))
        await uow.phone_codes.add(PhoneCode(uuid.uuid4(), user.id, "verify_phone", user.phone_number,
                                            b"code", now, now + timedelta(minutes=10)), now)
        await uow.email_links.add(tag + b"change", EmailLink(user.id, email_links.CHANGE_EMAIL,
                                                              f"new-{tag.hex()}@example.com", now + timedelta(hours=24)), now)
        await uow.events.record(user.id, "mfa_enabled", {}, now, CLIENT)
        if user.email:
            await uow.outbox.enqueue(Message(NEW_DEVICE, "email", user.email, "en", {}, {"token": "t"}), now)
        await uow.outbox.enqueue(Message(NEW_DEVICE, "whatsapp", user.phone_number, "en"), now)
        await uow.outbox.enqueue(Message(NEW_DEVICE, "email", f"new-{tag.hex()}@example.com", "en"), now)
        await uow.commit()
    return user, sid


def holding(world, user) -> list[str]:
    """The fake database's tables that still hold anything of `user` (its id, email or number)."""
    marks = (str(user.id), repr(user.id), user.id.hex, user.email, user.phone_number)
    return [f.name for f in dataclasses.fields(world.db)
            if f.name != "row_locks" and any(m and m in repr(getattr(world.db, f.name)) for m in marks)]


class TestExport:
    async def test_holds_what_every_repository_holds_of_the_account(self, world):
        user, sid = await full_account(world)
        other_sid = await new_session(world, user.id)
        data = await world.export_account_data.execute(sid)
        assert data.user.email == user.email and data.user.phone_number == user.phone_number
        assert data.user.profile.locale == "en" and data.exported_at == world.clock.now()
        assert [(a.provider, a.subject) for a in data.accounts] == [("google", f"google-subject-{user.id.bytes[:4].hex()}")]
        assert len(data.sessions) == 2 and data.current_session in {s.id for s in data.sessions}
        assert "mfa_enabled" in [e.kind for e in data.events]
        assert [p.name for p in data.passkeys] == ["Passkey"]
        assert data.totp is True and data.recovery_codes_left == 2
        assert data.pending_email_change.email == f"new-{user.id.bytes[:4].hex()}@example.com"
        assert {s.id for s in data.sessions if s.id != data.current_session} == {world.db.sids[d].session_id
                                                                              for d in world.tokens.digests(other_sid)
                                                                              if d in world.db.sids}

    async def test_ended_sessions_and_every_event_are_in_it(self, world):
        user, sid = await full_account(world)
        other = await new_session(world, user.id)
        await world.logout.execute(other, None, CLIENT)
        for _ in range(250):  # beyond one page of /auth/events
            async with world.new_uow() as uow:
                await uow.events.record(user.id, "signed_in", {}, world.clock.now(), CLIENT)
                await uow.commit()
        data = await world.export_account_data.execute(sid)
        assert len(data.sessions) == 2 and sum(s.revoked_at is not None for s in data.sessions) == 1
        assert len(data.events) >= 252

    async def test_needs_a_session_and_a_fresh_one(self, world):
        user, sid = await full_account(world)
        with pytest.raises(NotAuthenticated):
            await world.export_account_data.execute(None)
        go_stale(world)
        with pytest.raises(ReauthRequired) as caught:
            await world.export_account_data.execute(sid)
        assert {"password", "totp", "google"} <= set(caught.value.methods)

    async def test_writes_nothing(self, world):
        user, sid = await full_account(world)
        before = (list(world.db.events), list(world.db.outbox))
        await world.export_account_data.execute(sid)
        assert (world.db.events, world.db.outbox) == before


class TestDelete:
    async def test_erases_everything_of_the_account_and_sends_the_last_notice(self, world):
        user, sid = await full_account(world)
        assert set(holding(world, user)) >= {"users", "sessions", "linked_accounts", "passkeys", "user_handles",
                                               "totp", "recovery_codes", "mfa_challenges", "webauthn_challenges",
                                               "pending_links", "flows", "phone_codes", "email_links", "events",
                                               "event_log", "outbox"}
        await world.delete_account.execute(sid, CLIENT)
        assert holding(world, user) == ["outbox"]
        assert world.db.outbox == [Message(ACCOUNT_DELETED, "email", user.email, "en",
                                           {"when": "2026-01-01 00:00 UTC"})]
        assert not world.db.sids and not world.db.refresh_tokens

    async def test_another_account_keeps_all_it_has(self, world):
        user, sid = await full_account(world)
        other, _ = await full_account(world, phone_number="+33698765432")
        other_rows = holding(world, other)
        await world.delete_account.execute(sid, CLIENT)
        assert holding(world, other) == other_rows
        assert sum(m.recipient in (other.email, other.phone_number) for m in world.db.outbox) == 2

    async def test_messages_to_a_number_another_account_verified_are_that_accounts(self, world):
        owner, _ = await full_account(world)
        squatter, sid = await full_account(world, phone_number=owner.phone_number, phone_verified_at=None)
        await world.delete_account.execute(sid, CLIENT)
        assert [m.channel for m in world.db.outbox if m.recipient == owner.phone_number] == ["whatsapp", "whatsapp"]
        assert squatter.id not in world.db.users and owner.id in world.db.users

    async def test_the_email_username_and_number_are_free_at_once(self, world):
        user, sid = await full_account(world)
        await world.delete_account.execute(sid, CLIENT)
        again = UserFactory.build(email=user.email, username=user.username, phone_number=user.phone_number,
                                  phone_verified_at=world.clock.now())
        await sign_in(world, again)
        assert world.db.users[again.id].email == user.email
        assert await world.current_user.execute(sid) is None

    async def test_the_counters_that_name_the_account_are_cleared(self, world):
        user, sid = await full_account(world)
        device_key = device_prefix(user.id) + "0" * 64
        for key in (account_key(user, ""), device_key):
            await world.attempts.hit_toward_lock(key, 3, timedelta(minutes=15), world.clock.now())
        await world.delete_account.execute(sid, CLIENT)
        assert not [key for key in world.attempts.windows if user.id.hex in key or key == account_key(user, "")]

    async def test_is_reported_without_the_id_or_the_address(self, world):
        user, sid = await full_account(world)
        await world.delete_account.execute(sid, CLIENT)
        [reported] = [e for e in world.telemetry.events if e.event == "account_deleted"]
        assert reported.user_id is None and reported.ip is None

    async def test_without_an_email_no_notice(self, world):
        user, sid = await full_account(world, email=None)
        await world.delete_account.execute(sid, CLIENT)
        assert world.db.outbox == [] and not world.db.users

    async def test_needs_a_session_and_a_fresh_one_and_changes_nothing_without(self, world):
        user, sid = await full_account(world)
        rows = holding(world, user)
        with pytest.raises(NotAuthenticated):
            await world.delete_account.execute(None, CLIENT)
        go_stale(world)
        with pytest.raises(ReauthRequired):
            await world.delete_account.execute(sid, CLIENT)
        assert holding(world, user) == rows and len(world.db.outbox) == 3

    async def test_a_failure_half_way_changes_nothing(self, world, monkeypatch):
        user, sid = await full_account(world)
        rows, outbox = holding(world, user), list(world.db.outbox)

        async def broken(self, message, now):
            raise RuntimeError("the database went away")
        monkeypatch.setattr("tests.fakes.InMemoryOutbox.enqueue", broken)
        with pytest.raises(RuntimeError):
            await world.delete_account.execute(sid, CLIENT)
        assert holding(world, user) == rows and world.db.outbox == outbox
        assert world.db.users[user.id].email == user.email
