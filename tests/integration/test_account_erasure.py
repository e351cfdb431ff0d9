"""What the export reads and the deletion erases, the same on the fakes and on PostgreSQL:
UserRepository.delete takes everything of the user with it (and nothing of another user),
in its unit of work; the readers the export adds answer the whole history."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from domain.clients import ClientInfo
from domain.codes import PhoneCode
from domain.email_links import CHANGE_EMAIL, VERIFY_EMAIL, EmailLink
from domain.flows import PendingLink, ProviderFlow
from domain.identities import LinkedAccount, ProviderIdentity, ProviderTokens
from domain.passkeys import ChallengePurpose, new_challenge
from domain.second_factor import MfaChallenge
from domain.sessions import Session
from tests.factories import UserFactory, passkey_of

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
CLIENT = ClientInfo(ip="198.51.100.4", user_agent="agent")


def digest(name: str) -> bytes:
    return hashlib.sha256(name.encode()).digest()


async def everything_of(store, **changes):
    """A user with a row in every repository; its `tag` names its digests."""
    user = UserFactory.build(**{"phone_number": "+33612345678", "phone_verified_at": NOW, **changes})
    tag, later = user.id.hex, NOW + timedelta(minutes=5)
    session = Session(uuid.uuid4(), user.id, NOW, NOW + timedelta(days=30), NOW)
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.sessions.add(session)
        await uow.sessions.add_sid(session.id, digest(f"sid-{tag}"), later)
        await uow.sessions.add_refresh_token(session.id, digest(f"refresh-{tag}"), 0, NOW)
        await uow.linked_accounts.add(LinkedAccount(uuid.uuid4(), user.id, "google", f"sub-{tag}", NOW,
                                                    "ada@gmail.example", ProviderTokens(access_token="at")))
        await uow.passkeys.keep_user_handle(user.id, digest(f"handle-{tag}") * 2)
        await uow.passkeys.add(passkey_of(user, credential_id=digest(f"cred-{tag}")))
        await uow.totp.set_pending(user.id, b"12345678901234567890", NOW)
        await uow.recovery_codes.replace(user.id, [digest(f"code-{tag}")], NOW)
        await uow.mfa_challenges.add(MfaChallenge(digest(f"mfa-{tag}"), user.id, "password", "k", NOW, later))
        await uow.webauthn_challenges.add(new_challenge(digest(f"wa-{tag}"), ChallengePurpose.REGISTER, digest(f"b-{tag}"),
                                                        NOW, user.id, timedelta(minutes=5)))
        await uow.pending_links.add(PendingLink(digest(f"pl-{tag}"), user.id, ProviderIdentity("github", tag),
                                                NOW, later))
        await uow.flows.add(ProviderFlow(digest(f"flow-{tag}"), digest(f"fb-{tag}"), "google", "n", "v", NOW,
                                         later, link_user_id=user.id))
        await uow.phone_codes.add(PhoneCode(uuid.uuid4(), user.id, "verify_phone", user.phone_number,
                                            digest(f"pc-{tag}"), NOW, later), NOW)
        await uow.email_links.add(digest(f"el-{tag}"), EmailLink(user.id, CHANGE_EMAIL, f"new-{tag}@example.com",
                                                                  NOW + timedelta(days=1)), NOW)
        await uow.events.record(user.id, "signed_in", {}, NOW, CLIENT)
        await uow.commit()
    return user, session


async def what_remains(store, user, session) -> dict:
    tag = user.id.hex
    async with store.new_uow() as uow:
        return {name: found for name, found in {
            "user": await uow.users.by_id(user.id),
            "by_email": await uow.users.by_email(user.email),
            "sessions": await uow.sessions.for_user(user.id),
            "sid": await uow.sessions.session_id_by_sid([digest(f"sid-{tag}")]),
            "refresh": await uow.sessions.session_id_by_refresh_token([digest(f"refresh-{tag}")]),
            "accounts": await uow.linked_accounts.for_user(user.id),
            "passkeys": await uow.passkeys.for_user(user.id),
            "handle": await uow.passkeys.user_handle(user.id),
            "totp": await uow.totp.get(user.id),
            "codes": await uow.recovery_codes.left(user.id),
            "change": await uow.email_links.pending(user.id, CHANGE_EMAIL, NOW),
            "events": await uow.events.for_user(user.id, None),
            "challenge": await uow.webauthn_challenges.take([digest(f"b-{tag}")], ChallengePurpose.REGISTER, NOW),
            "pending_link": await uow.pending_links.take([digest(f"pl-{tag}")], NOW),
            "flow": await uow.flows.consume([digest(f"flow-{tag}")], NOW),
        }.items() if found}


async def test_deleting_a_user_takes_everything_of_it_and_nothing_of_another(store):
    user, session = await everything_of(store)
    other, other_session = await everything_of(store, phone_number="+33698765432")
    assert len(await what_remains(store, user, session)) == 15  # every reader finds its row
    async with store.new_uow() as uow:
        await uow.users.delete(user.id)
        await uow.commit()
    assert await what_remains(store, user, session) == {}
    assert len(await what_remains(store, other, other_session)) == 15


async def test_its_identifiers_are_free_once_committed(store):
    user, _ = await everything_of(store)
    async with store.new_uow() as uow:
        await uow.users.delete(user.id)
        await uow.commit()
    again = UserFactory.build(email=user.email, username=user.username, phone_number=user.phone_number,
                              phone_verified_at=NOW)
    async with store.new_uow() as uow:
        await uow.users.add(again)
        await uow.commit()
    async with store.new_uow() as uow:
        assert (await uow.users.by_email(user.email)).id == again.id


async def test_a_deletion_not_committed_changes_nothing(store):
    user, session = await everything_of(store)
    async with store.new_uow() as uow:
        await uow.users.delete(user.id)
    assert len(await what_remains(store, user, session)) == 15


async def test_every_session_is_read_ended_ones_too_newest_first(store):
    user, first = await everything_of(store)
    second = Session(uuid.uuid4(), user.id, NOW + timedelta(hours=1), NOW + timedelta(days=30), NOW)
    async with store.new_uow() as uow:
        await uow.sessions.add(second)
        await uow.sessions.revoke(first.id, NOW, "logout")
        await uow.commit()
    async with store.new_uow() as uow:
        sessions = await uow.sessions.for_user(user.id)
    assert [s.id for s in sessions] == [second.id, first.id]
    assert sessions[1].revoked_at == NOW and sessions[0].revoked_at is None


async def test_every_event_is_read_without_a_limit(store):
    user, _ = await everything_of(store)
    async with store.new_uow() as uow:
        for minute in range(1, 251):
            await uow.events.record(user.id, "signed_out", {}, NOW + timedelta(minutes=minute), CLIENT)
        await uow.commit()
    async with store.new_uow() as uow:
        events = await uow.events.for_user(user.id, None)
    assert len(events) == 251 and events[0].created_at == NOW + timedelta(minutes=250)


async def test_the_pending_link_of_a_purpose_is_the_newest_unused_unexpired_one(store):
    user, _ = await everything_of(store)
    async with store.new_uow() as uow:
        await uow.email_links.add(digest("newer"), EmailLink(user.id, CHANGE_EMAIL, "newer@example.com",
                                                             NOW + timedelta(days=1)), NOW + timedelta(minutes=1))
        await uow.email_links.add(digest("verify"), EmailLink(user.id, VERIFY_EMAIL, user.email,
                                                              NOW + timedelta(days=1)), NOW + timedelta(minutes=2))
        await uow.commit()
    async with store.new_uow() as uow:
        assert (await uow.email_links.pending(user.id, CHANGE_EMAIL, NOW + timedelta(minutes=3))).email == "newer@example.com"
        assert await uow.email_links.pending(user.id, CHANGE_EMAIL, NOW + timedelta(days=2)) is None
        await uow.email_links.void(user.id, CHANGE_EMAIL, NOW)
        assert await uow.email_links.pending(user.id, CHANGE_EMAIL, NOW) is None
