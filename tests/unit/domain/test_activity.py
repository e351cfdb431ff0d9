from datetime import UTC, datetime

import pytest

from domain.activity import EVENT_KINDS, SecurityEvent, stored_kind

# The kinds of the HTTP contract (API.md, "Security activity", and of "More security activity"
# those the second factor, passkeys and re-authentication record), as the contract spells them.
CONTRACT_KINDS = {
    "signed_in", "signed_in_new_device", "signed_out", "refresh_reuse_detected",
    "session_revoked", "password_changed", "password_reset", "password_removed",
    "email_verified", "email_change_requested", "email_changed", "phone_verified",
    "provider_linked", "provider_unlinked", "account_locked", "account_unlocked",
    "account_secured", "mfa_enabled", "mfa_disabled", "mfa_failed", "recovery_code_used",
    "recovery_codes_regenerated", "passkey_added", "passkey_removed", "reauthenticated",
}
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_kinds_are_the_contracts_and_no_other():
    assert EVENT_KINDS == CONTRACT_KINDS


@pytest.mark.parametrize("kind", ["email_verified_by_provider", "login", "", "SIGNED_IN"])
def test_an_event_of_another_kind_cannot_exist(kind):
    with pytest.raises(ValueError):
        SecurityEvent(kind, NOW)


def test_a_stored_kind_of_an_older_version_reads_as_the_contract_kind_it_became():
    assert stored_kind("email_verified_by_provider") == "email_verified"
    assert stored_kind("signed_out") == "signed_out"
    assert stored_kind("something_else") is None
