import uuid
from datetime import UTC, datetime, timedelta

from domain.second_factor import (
    MfaChallenge,
    StepVerdict,
    TotpState,
    is_fresh,
    judge_second_step,
    reauth_methods,
    second_step_methods,
)
from tests.factories import UserFactory

NOW = datetime(2026, 1, 1, tzinfo=UTC)
MAX_WRONG = 5
ON = TotpState(b"s" * 20, confirmed_at=NOW)
PENDING = TotpState(b"s" * 20)


def challenge(**changes) -> MfaChallenge:
    values = dict(digest=b"d" * 32, user_id=uuid.uuid4(), method="password", lock_key="login-account:x",
                  created_at=NOW, expires_at=NOW + timedelta(minutes=5))
    return MfaChallenge(**{**values, **changes})


def test_a_right_answer_to_an_open_challenge_passes():
    assert judge_second_step(challenge(), True, NOW, MAX_WRONG) is StepVerdict.PASSED


def test_a_wrong_answer_with_answers_left_is_wrong():
    assert judge_second_step(challenge(wrong_answers=3), False, NOW, MAX_WRONG) is StepVerdict.WRONG


def test_the_fifth_wrong_answer_burns_it():
    assert judge_second_step(challenge(wrong_answers=4), False, NOW, MAX_WRONG) is StepVerdict.BURNED


def test_a_burned_challenge_is_expired_even_for_a_right_answer():
    assert judge_second_step(challenge(wrong_answers=5), True, NOW, MAX_WRONG) is StepVerdict.EXPIRED


def test_an_expired_challenge_is_expired_even_for_a_right_answer():
    late = NOW + timedelta(minutes=5)
    assert judge_second_step(challenge(), True, late, MAX_WRONG) is StepVerdict.EXPIRED
    assert judge_second_step(challenge(), True, late - timedelta(microseconds=1), MAX_WRONG) is StepVerdict.PASSED


def test_second_step_methods():
    assert second_step_methods(None) == []
    assert second_step_methods(PENDING) == []  # a secret never confirmed is not on
    assert second_step_methods(ON) == ["totp", "recovery_code"]
    assert second_step_methods(ON, passkeys=1) == ["totp", "recovery_code", "passkey"]
    assert second_step_methods(None, passkeys=2) == []  # passkeys alone: no second step (they sign in)
    assert second_step_methods(PENDING, passkeys=2) == []


def test_fresh_within_max_age_and_no_longer():
    max_age = timedelta(seconds=600)
    assert is_fresh(NOW, NOW + max_age, max_age)
    assert not is_fresh(NOW, NOW + max_age + timedelta(microseconds=1), max_age)


def test_reauth_methods_list_what_the_account_can_use():
    with_password = UserFactory.build(providers=("github", "google"))
    assert reauth_methods(with_password, None) == ["password", "github", "google"]
    assert reauth_methods(with_password, ON, passkeys=2) == ["password", "totp", "passkey", "github", "google"]
    social_only = UserFactory.build(password_hash=None, providers=("google",))
    assert reauth_methods(social_only, PENDING) == ["google"]
