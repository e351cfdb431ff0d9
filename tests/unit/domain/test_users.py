from datetime import UTC, datetime

from domain.users import ADD_EMAIL, COMPLETE_PROFILE, VERIFY_EMAIL, Profile
from tests.factories import UserFactory

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_complete_verified_user_has_nothing_left_to_do():
    user = UserFactory.build(email_verified_at=NOW)
    assert user.required_actions() == []


def test_missing_last_name_asks_to_complete_the_profile():
    user = UserFactory.build(email_verified_at=NOW, profile=Profile("Ada", None))
    assert user.required_actions() == [COMPLETE_PROFILE]


def test_unverified_email_asks_for_verification():
    assert UserFactory.build().required_actions() == [VERIFY_EMAIL]


def test_no_email_asks_to_add_one():
    user = UserFactory.build(email=None, profile=Profile())
    assert user.required_actions() == [COMPLETE_PROFILE, ADD_EMAIL]


def test_flags_derive_from_timestamps_and_hash():
    user = UserFactory.build(password_hash=None, phone_verified_at=NOW)
    assert not user.has_password and user.phone_verified and not user.email_verified
