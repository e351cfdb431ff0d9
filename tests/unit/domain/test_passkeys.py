"""The passkey rules that need no ceremony: the counter, the name, the challenge's life."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.passkeys import (
    ChallengePurpose,
    new_challenge,
    normalize_passkey_name,
    passkey_name,
    sign_count_accepted,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("stored", "received", "accepted"), [
    (0, 0, True),  # an authenticator that does not count
    (0, 1, True),
    (5, 6, True),
    (5, 5, False),  # the same count twice: a clone
    (5, 4, False),
    (5, 0, False),  # a counter that starts over
])
def test_the_counter_must_go_forward_unless_neither_counts(stored, received, accepted):
    assert sign_count_accepted(stored, received) is accepted


def test_a_known_aaguid_names_the_model_else_passkey():
    models = {"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4": "Google Password Manager"}
    assert passkey_name("EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4", models) == "Google Password Manager"
    assert passkey_name("00000000-0000-0000-0000-000000000000", models) == "Passkey"


@pytest.mark.parametrize(("typed", "name"), [
    ("  Work   laptop ", "Work laptop"), ("", None), ("   ", None), ("x" * 64, "x" * 64), ("x" * 65, None),
])
def test_a_given_name_is_trimmed_and_1_to_64_characters(typed, name):
    assert normalize_passkey_name(typed) == name


def test_a_challenge_is_open_for_its_ttl_only():
    challenge = new_challenge(b"c", ChallengePurpose.LOGIN, b"b", NOW, uuid.uuid4(), timedelta(minutes=5))
    assert challenge.is_open(NOW + timedelta(minutes=5) - timedelta(microseconds=1))
    assert not challenge.is_open(NOW + timedelta(minutes=5))
