"""Who owns an account: the pure rules (what counts as unproven, what is handed over, what a
"not you?" click undoes)."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import AddressNotProven
from domain.identities import LinkedAccount
from domain.ownership import Handover, Undo, handover, require_proven_address, undo_since
from domain.passkeys import Passkey
from domain.second_factor import TotpState
from domain.users import User

EVENT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BEFORE, AFTER = EVENT - timedelta(minutes=5), EVENT + timedelta(minutes=5)


def user(**fields) -> User:
    return User(id=uuid4(), created_at=BEFORE - timedelta(days=1), **{"email": "ada@example.com", **fields})


def account(provider: str, linked_at: datetime) -> LinkedAccount:
    return LinkedAccount(uuid4(), uuid4(), provider, f"{provider}-1", linked_at)


def test_an_unverified_email_is_unproven_and_refused_anything_new():
    with pytest.raises(AddressNotProven):
        require_proven_address(user())
    require_proven_address(user(email_verified_at=BEFORE))
    require_proven_address(user(email=None))  # made by a provider without an email: nothing to prove


def test_proof_of_an_unproven_address_hands_over_everything_else():
    squatted = user(password_hash="h", phone_number="+33612345678", providers=("github",))
    assert handover(squatted, password_set_by_proof=False) == Handover(True, ("github",), True)
    assert handover(squatted, password_set_by_proof=True) == Handover(False, ("github",), True)
    assert handover(user(email_verified_at=BEFORE, password_hash="h"), password_set_by_proof=False) is None


def test_the_handover_detail_lists_only_what_was_dropped():
    assert Handover(False, (), False).detail() == {}
    assert Handover(True, ("github",), True).detail() == {
        "passwordRemoved": True, "providersUnlinked": ["github"], "phoneRemoved": True}


def test_not_you_undoes_providers_linked_at_or_after_the_event():
    accounts = [account("google", BEFORE), account("github", EVENT), account("facebook", AFTER)]
    assert undo_since(user(), accounts, EVENT, "ada@example.com").providers == ("facebook", "github")


@pytest.mark.parametrize(("changed", "verified", "undone"), [
    (BEFORE, BEFORE, False),  # the owner's number
    (BEFORE, None, False),
    (AFTER, None, True),  # set since
    (BEFORE, AFTER, True),  # verified since
    (None, AFTER, True),  # from before phone_changed_at was kept, verified since
    (None, BEFORE, False),
])
def test_not_you_undoes_a_phone_number_set_or_verified_since(changed, verified, undone):
    holder = user(phone_number="+33612345678", phone_changed_at=changed, phone_verified_at=verified)
    assert undo_since(holder, [], EVENT, "ada@example.com").phone is undone


def test_no_phone_number_nothing_to_undo():
    assert undo_since(user(phone_changed_at=AFTER), [], EVENT, None).phone is False


def test_not_you_puts_back_the_address_the_notice_went_to():
    moved = user(email="thief@evil.example")
    assert undo_since(moved, [], EVENT, "ada@example.com").restore_email == "ada@example.com"
    assert undo_since(user(), [], EVENT, "ada@example.com").restore_email is None
    assert undo_since(moved, [], EVENT, None).restore_email is None  # a WhatsApp notice


def test_the_undo_detail_masks_the_restored_address():
    assert Undo(("github",), True, "ada@example.com", True).detail() == {
        "providersUnlinked": ["github"], "phoneRemoved": True, "emailChangeCancelled": True,
        "emailRestored": "a***@example.com"}
    assert Undo().detail()["emailRestored"] is None


def test_not_you_turns_off_totp_turned_on_at_or_after_the_event():
    def undone(confirmed_at):
        return undo_since(user(), [], EVENT, None, TotpState(b"s" * 20, confirmed_at)).second_factor

    assert (undone(BEFORE), undone(EVENT), undone(AFTER), undone(None)) == (False, True, True, False)
    assert undo_since(user(), [], EVENT, None).second_factor is False


def test_the_second_factor_is_named_in_the_detail_only_when_turned_off():
    assert "secondFactorRemoved" not in Undo().detail()
    assert Undo(second_factor=True).detail()["secondFactorRemoved"] is True


def test_proof_of_an_unproven_address_drops_its_second_factor_pending_or_on():
    squatted = user(password_hash="h")
    assert handover(squatted, password_set_by_proof=False, totp=TotpState(b"s" * 20)).second_factor
    assert handover(squatted, password_set_by_proof=False).second_factor is False
    assert Handover(False, (), False, True).detail() == {"secondFactorRemoved": True}


def passkey(created_at: datetime) -> Passkey:
    return Passkey(uuid4(), uuid4(), uuid4().bytes, b"cose", 0, (), True, True, "0" * 36, "Passkey", created_at)


def test_not_you_removes_the_passkeys_added_at_or_after_the_event():
    before, at, after = passkey(BEFORE), passkey(EVENT), passkey(AFTER)
    assert undo_since(user(), [], EVENT, None, passkeys=[before, at, after]).passkeys == (at.id, after.id)
    assert undo_since(user(), [], EVENT, None).passkeys == ()


def test_passkeys_are_named_in_the_detail_only_when_removed():
    assert "passkeysRemoved" not in Undo().detail()
    assert Undo(passkeys=(uuid4(), uuid4())).detail()["passkeysRemoved"] == 2


def test_proof_of_an_unproven_address_drops_every_passkey():
    squatted = user(password_hash="h")
    assert handover(squatted, password_set_by_proof=False, passkeys=2).passkeys == 2
    assert handover(squatted, password_set_by_proof=False).detail() == {"passwordRemoved": True}
    assert Handover(False, (), False, passkeys=2).detail() == {"passkeysRemoved": 2}
