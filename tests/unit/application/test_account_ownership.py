"""Who owns an account, on fakes: nothing is added to an unproven address, proof of the address
wins, "not you?" undoes, and an email change voids what the old address held."""

import dataclasses
from uuid import uuid4

import pytest

from application.ports.messages import (
    EMAIL_CHANGE,
    EMAIL_CHANGE_NOTICE,
    NEW_DEVICE,
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    SECOND_FACTOR_CHANGED,
)
from domain.errors import AddressNotProven, InvalidToken, MfaRequired
from domain.identities import LinkedAccount
from domain.email_links import CHANGE_EMAIL, PASSWORD_RESET as RESET_PURPOSE, RESET_TOKEN, EmailLink
from domain.ownership import Undo
from domain.passkeys import Passkey
from domain.profile import ProfileEdit
from domain.second_factor import TotpState
from domain.totp import totp
from tests.unit.application.test_totp_setup import secret_of
from tests.unit.application.test_email_verification import PASSWORD, register
from tests.unit.application.test_provider_sign_in import ALICE, sign_in
from tests.unit.conftest import CLIENT, ELSEWHERE

NUMBER = "+33612345678"
THIEF = dataclasses.replace(ALICE, subject="g-thief", email="thief@evil.example")


def token_of(world, template, recipient=None) -> str:
    [message] = [m for m in world.db.outbox if m.template == template
                 and (recipient is None or m.recipient == recipient)][-1:]
    return message.secrets["token"]


def events(world, user_id, kind) -> list[dict]:
    return [detail for who, k, detail in world.db.events if who == user_id and k == kind]


def linked(world, user_id, subject: str) -> None:
    account = LinkedAccount(uuid4(), user_id, "github", subject, world.clock.now())
    world.db.linked_accounts[account.id] = account


async def squatted(world):
    """Someone registered alice's address, unverified, and added a provider, a verified phone,
    a pending move to his own address and a resetToken (as before these rules, or by any path)."""
    user, sid = await register(world, email="alice@example.com")
    await world.update_profile.execute(sid, ProfileEdit(phone_number=NUMBER))
    world.db.users[user.id].phone_verified_at = world.clock.now()
    linked(world, user.id, "gh-squatter")
    async with world.new_uow() as uow:
        for purpose, email in ((CHANGE_EMAIL, "squatter@evil.example"), (RESET_TOKEN, None)):
            await uow.email_links.add(world.tokens.digest(purpose), EmailLink(
                user.id, purpose, email, world.clock.now().replace(year=2027)), world.clock.now())
        await uow.commit()
    return user, sid


class TestNothingAddedToAnUnprovenAddress:
    async def test_totp_is_refused_and_nothing_is_kept(self, world):
        user, sid = await register(world)
        with pytest.raises(AddressNotProven):
            await world.set_up_totp.execute(sid)
        assert user.id not in world.db.totp

    async def test_a_provider_link_is_refused_and_links_nothing(self, world):
        user, sid = await register(world, email="me@corp.example")
        with pytest.raises(AddressNotProven):
            await sign_in(world, THIEF, link=True, sid=sid)
        assert world.db.user(user.id).providers == () and not world.db.linked_accounts

    async def test_a_phone_code_is_refused_and_nothing_is_sent(self, world):
        user, sid = await register(world)
        await world.update_profile.execute(sid, ProfileEdit(phone_number=NUMBER))
        with pytest.raises(AddressNotProven):
            await world.request_phone_code.execute(sid, CLIENT)
        assert [m for m in world.db.outbox if m.channel == "whatsapp"] == []
        with pytest.raises(AddressNotProven):
            await world.verify_phone.execute(sid, "123456", CLIENT)

    async def test_once_proven_the_same_requests_work(self, world):
        user, sid = await register(world, email="me@corp.example")
        world.prove_address(user.id)
        assert (await sign_in(world, THIEF, link=True, sid=sid)).linked

    async def test_no_pending_link_is_kept_for_an_unproven_account(self, world):
        await register(world, email="alice@example.com")
        from domain.errors import EmailNotVerified, LinkPending

        with pytest.raises(EmailNotVerified) as refused:
            await sign_in(world, dataclasses.replace(ALICE, email_verified=False))
        assert not isinstance(refused.value, LinkPending) and not world.db.pending_links


    async def test_a_passkey_is_refused_and_nothing_is_kept(self, world):
        _, sid = await register(world, email="me@corp.example")
        with pytest.raises(AddressNotProven):
            await world.start_passkey_registration.execute(sid)
        with pytest.raises(AddressNotProven):
            await world.register_passkey.execute(sid, {"id": b"cred".hex(), "challenge": "00"}, None, CLIENT)
        assert world.db.passkeys == {} and world.db.webauthn_challenges == {}


async def stored_passkey(world, user_id, credential_id: bytes) -> Passkey:
    """A passkey kept as a registration keeps it (a squatter's from before these rules)."""
    passkey = Passkey(uuid4(), user_id, credential_id, b"pk:" + credential_id, 0, ("internal",), True, True,
                      "0" * 36, "Passkey", world.clock.now())
    async with world.new_uow() as uow:
        assert await uow.passkeys.add(passkey)
        await uow.commit()
    return passkey


class TestProofOfTheAddressWins:
    async def test_a_provider_that_vouches_takes_the_account_back_whole(self, world):
        user, squatter_sid = await squatted(world)
        result = await sign_in(world, client=ELSEWHERE)

        owner = world.db.user(user.id)
        assert owner.email_verified and not owner.has_password
        assert owner.providers == ("google",)  # the squatter's GitHub is gone
        assert (owner.phone_number, owner.phone_verified) == (None, False)
        assert await world.current_user.execute(squatter_sid) is None
        assert (await world.current_user.execute(result.tokens.sid)).id == user.id
        for prepared in (CHANGE_EMAIL, RESET_TOKEN):  # his ways back in are dead
            assert world.db.email_links[world.tokens.digest(prepared)].used_at is not None
        [proof] = events(world, user.id, "email_verified")
        assert proof == {"provider": "google", "sessionsRevoked": 1, "passwordRemoved": True,
                         "providersUnlinked": ["github"], "phoneRemoved": True}

    async def test_a_reset_link_takes_the_account_back_and_keeps_the_new_password(self, world):
        user, squatter_sid = await squatted(world)
        admitted = await world.forgot_password.admit("alice@example.com", None, CLIENT)
        await world.forgot_password.deliver(admitted, CLIENT)
        await world.reset_password.execute(token_of(world, PASSWORD_RESET), "owners-new-secret-9", ELSEWHERE)

        owner = world.db.user(user.id)
        assert owner.email_verified and owner.has_password and owner.providers == ()
        assert owner.phone_number is None
        assert await world.current_user.execute(squatter_sid) is None
        [proof] = events(world, user.id, "email_verified")
        assert proof == {"via": "reset_link", "providersUnlinked": ["github"], "phoneRemoved": True}

    async def test_a_second_factor_of_the_squatter_goes_with_its_recovery_codes(self, world):
        user, _ = await squatted(world)  # as before these rules: TOTP set on an unproven address
        world.db.totp[user.id] = TotpState(b"s" * 20, confirmed_at=world.clock.now(), last_step=1)
        async with world.new_uow() as uow:
            await uow.recovery_codes.replace(user.id, [b"c" * 32], world.clock.now())
            await uow.commit()
        await sign_in(world, client=ELSEWHERE)
        assert user.id not in world.db.totp and world.db.recovery_codes == {}
        [proof] = events(world, user.id, "email_verified")
        assert proof["secondFactorRemoved"] is True

    async def test_the_squatters_passkeys_go_whatever_proves_the_address(self, world):
        user, _ = await squatted(world)
        await stored_passkey(world, user.id, b"squatter-1")
        await stored_passkey(world, user.id, b"squatter-2")
        admitted = await world.forgot_password.admit("alice@example.com", None, CLIENT)
        await world.forgot_password.deliver(admitted, CLIENT)
        await world.reset_password.execute(token_of(world, PASSWORD_RESET), "owners-new-secret-9", ELSEWHERE)
        assert world.db.passkeys == {}
        [proof] = events(world, user.id, "email_verified")
        assert proof["passkeysRemoved"] == 2

    async def test_a_proven_account_keeps_what_it_has(self, world):
        user, _ = await squatted(world)
        await stored_passkey(world, user.id, b"owner-1")
        world.prove_address(user.id)
        await sign_in(world)
        owner = world.db.user(user.id)
        assert owner.providers == ("github", "google") and owner.has_password and owner.phone_verified
        assert len(world.db.passkeys) == 1


async def thief_signs_in_from_elsewhere(world, user_id) -> str:
    login = await world.login.execute("alice@example.com", PASSWORD, ELSEWHERE)
    assert token_of(world, NEW_DEVICE)  # the owner got a "not you?" link
    return login.tokens.sid


async def owner(world):
    user, sid = await register(world, email="alice@example.com")
    world.prove_address(user.id)
    await world.update_profile.execute(sid, ProfileEdit(phone_number="+33611111111"))
    world.db.users[user.id].phone_verified_at = world.clock.now()
    linked(world, user.id, "gh-owner")
    world.clock.advance(minutes=1)
    return user


class TestNotYouUndoes:
    async def test_what_the_thief_added_after_the_new_device_goes_and_what_was_there_stays(self, world):
        user = await owner(world)
        thief_sid = await thief_signs_in_from_elsewhere(world, user.id)
        world.clock.advance(minutes=1)
        await sign_in(world, THIEF, link=True, sid=thief_sid, client=ELSEWHERE)
        await world.update_profile.execute(thief_sid, ProfileEdit(phone_number=NUMBER))

        undone = await world.secure_account.execute(token_of(world, NEW_DEVICE), CLIENT)

        assert undone == Undo(("google",), True, None, False)
        after = world.db.user(user.id)
        assert after.providers == ("github",)  # the owner's own provider stays
        assert after.phone_number is None and not after.has_password
        assert await world.current_user.execute(thief_sid) is None
        [secured] = events(world, user.id, "account_secured")
        assert secured == {"providersUnlinked": ["google"], "phoneRemoved": True,
                           "emailChangeCancelled": False, "emailRestored": None, "sessionsRevoked": 2}

    async def test_totp_the_thief_turned_on_is_turned_off(self, world):
        user = await owner(world)
        thief_sid = await thief_signs_in_from_elsewhere(world, user.id)
        world.clock.advance(minutes=1)
        secret = secret_of(await world.set_up_totp.execute(thief_sid))
        await world.confirm_totp.execute(thief_sid, totp(secret, world.clock.now()), ELSEWHERE)

        undone = await world.secure_account.execute(token_of(world, NEW_DEVICE), CLIENT)

        assert undone.second_factor and user.id not in world.db.totp and world.db.recovery_codes == {}
        [secured] = events(world, user.id, "account_secured")
        assert secured["secondFactorRemoved"] is True

    async def test_totp_the_owner_turned_on_before_the_event_stays(self, world):
        user = await owner(world)
        sid = (await world.login.execute("alice@example.com", PASSWORD, CLIENT)).tokens.sid
        secret = secret_of(await world.set_up_totp.execute(sid))
        await world.confirm_totp.execute(sid, totp(secret, world.clock.now()), CLIENT)
        world.clock.advance(minutes=1)
        with pytest.raises(MfaRequired):  # the thief has the password, not the phone
            await world.login.execute("alice@example.com", PASSWORD, ELSEWHERE)
        await world.change_password.execute(sid, PASSWORD, "owners-new-secret-9", CLIENT)

        undone = await world.secure_account.execute(token_of(world, PASSWORD_CHANGED), CLIENT)

        assert not undone.second_factor and world.db.totp[user.id].enabled
        [secured] = events(world, user.id, "account_secured")
        assert "secondFactorRemoved" not in secured

    async def test_passkeys_the_thief_added_go_and_the_owners_stay(self, world):
        user = await owner(world)
        owners = await stored_passkey(world, user.id, b"owner-1")
        world.clock.advance(minutes=1)
        thief_sid = await thief_signs_in_from_elsewhere(world, user.id)
        world.clock.advance(minutes=1)
        options = await world.start_passkey_registration.execute(thief_sid)
        thiefs = await world.register_passkey.execute(
            thief_sid, {"id": b"thief-1".hex(), "challenge": options["challenge"]}, None, ELSEWHERE)

        undone = await world.secure_account.execute(token_of(world, NEW_DEVICE), CLIENT)

        assert undone.passkeys == (thiefs.id,) and list(world.db.passkeys) == [owners.id]
        [secured] = events(world, user.id, "account_secured")
        assert secured["passkeysRemoved"] == 1

    async def test_the_passkey_added_notice_undoes_that_passkey(self, world):
        user = await owner(world)
        thief_sid = await thief_signs_in_from_elsewhere(world, user.id)
        world.clock.advance(minutes=1)
        options = await world.start_passkey_registration.execute(thief_sid)
        await world.register_passkey.execute(
            thief_sid, {"id": b"thief-1".hex(), "challenge": options["challenge"]}, None, ELSEWHERE)

        undone = await world.secure_account.execute(token_of(world, SECOND_FACTOR_CHANGED), CLIENT)

        assert len(undone.passkeys) == 1 and world.db.passkeys == {}

    async def test_a_phone_number_from_before_the_event_stays(self, world):
        user = await owner(world)
        await thief_signs_in_from_elsewhere(world, user.id)
        undone = await world.secure_account.execute(token_of(world, NEW_DEVICE), CLIENT)
        assert undone == Undo()
        assert world.db.user(user.id).phone_number == "+33611111111"

    async def test_a_pending_email_change_is_cancelled(self, world):
        user = await owner(world)
        thief_sid = await thief_signs_in_from_elsewhere(world, user.id)
        await world.change_email.execute(thief_sid, "thief@evil.example", PASSWORD, ELSEWHERE)
        change_link = token_of(world, EMAIL_CHANGE)

        undone = await world.secure_account.execute(token_of(world, EMAIL_CHANGE_NOTICE), CLIENT)

        assert undone.email_change_cancelled
        with pytest.raises(InvalidToken):
            await world.verify_email.execute(change_link, ELSEWHERE)
        assert world.db.user(user.id).email == "alice@example.com"

    async def test_a_completed_email_change_is_reverted_and_the_thiefs_links_die(self, world):
        user = await owner(world)
        thief_sid = await thief_signs_in_from_elsewhere(world, user.id)
        await world.change_email.execute(thief_sid, "thief@evil.example", PASSWORD, ELSEWHERE)
        not_you = token_of(world, EMAIL_CHANGE_NOTICE)  # mailed to alice when he asked
        await world.verify_email.execute(token_of(world, EMAIL_CHANGE), ELSEWHERE)
        assert world.db.user(user.id).email == "thief@evil.example"
        admitted = await world.forgot_password.admit("thief@evil.example", None, ELSEWHERE)
        await world.forgot_password.deliver(admitted, ELSEWHERE)
        thiefs_reset = token_of(world, PASSWORD_RESET, "thief@evil.example")

        undone = await world.secure_account.execute(not_you, CLIENT)

        assert undone.restore_email == "alice@example.com"
        after = world.db.user(user.id)
        assert (after.email, after.email_verified) == ("alice@example.com", True)
        with pytest.raises(InvalidToken):
            await world.reset_password.execute(thiefs_reset, "thiefs-new-secret-9", ELSEWHERE)
        [secured] = events(world, user.id, "account_secured")
        assert secured["emailRestored"] == "a***@example.com"

    async def test_an_address_another_account_took_since_is_not_taken_from_it(self, world):
        user = await owner(world)
        thief_sid = await thief_signs_in_from_elsewhere(world, user.id)
        await world.change_email.execute(thief_sid, "thief@evil.example", PASSWORD, ELSEWHERE)
        not_you = token_of(world, EMAIL_CHANGE_NOTICE)
        await world.verify_email.execute(token_of(world, EMAIL_CHANGE), ELSEWHERE)
        other, _ = await register(world, email="alice@example.com")

        undone = await world.secure_account.execute(not_you, CLIENT)

        assert undone.restore_email is None
        assert world.db.user(user.id).email == "thief@evil.example"
        assert world.db.user(other.id).email == "alice@example.com"


class TestAnEmailChangeVoidsTheOldAddressLinks:
    async def test_reset_and_verification_links_of_the_old_address_stop_working(self, world):
        user, sid = await register(world, email="alice@example.com")
        await world.request_verification.execute(sid, CLIENT)
        admitted = await world.forgot_password.admit("alice@example.com", None, CLIENT)
        await world.forgot_password.deliver(admitted, CLIENT)
        old_reset = token_of(world, PASSWORD_RESET)
        await world.change_email.execute(sid, "new.alice@example.com", PASSWORD, CLIENT)
        await world.verify_email.execute(token_of(world, EMAIL_CHANGE), CLIENT)

        with pytest.raises(InvalidToken):
            await world.reset_password.execute(old_reset, "another-secret-9", ELSEWHERE)
        live = [r.email_link.purpose for r in world.db.email_links.values() if r.used_at is None]
        assert RESET_PURPOSE not in live and "verify_email" not in live
