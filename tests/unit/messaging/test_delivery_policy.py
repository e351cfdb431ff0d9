"""Retries as the contract's "Delivery" says: about 2 s first, doubling, at most 10 min
apart, given up after 8 tries or a day; 429, 5xx retried, other 4xx final."""

from datetime import UTC, datetime, timedelta

import pytest

from infrastructure.messaging.delivery import failed_answer, give_up, retry_delay, retryable_status

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_backoff_starts_at_2_seconds_and_doubles():
    assert [retry_delay(n).total_seconds() for n in range(1, 8)] == [2, 4, 8, 16, 32, 64, 128]


def test_the_backoff_never_exceeds_10_minutes():
    assert retry_delay(10) == timedelta(minutes=10) and retry_delay(50) == timedelta(minutes=10)


def test_a_message_is_given_up_after_8_tries_or_a_day():
    assert not give_up(7, T0, T0 + timedelta(hours=23))
    assert give_up(8, T0, T0)
    assert give_up(1, T0, T0 + timedelta(hours=24))


@pytest.mark.parametrize(("status", "retryable"), [
    (429, True), (500, True), (502, True), (503, True), (504, True),
    (400, False), (401, False), (403, False), (404, False), (413, False), (451, False),
])
def test_provider_answers_are_classified(status, retryable):
    assert retryable_status(status) is retryable
    assert failed_answer("SendGrid", status, "detail").retryable is retryable


def test_a_failure_names_the_provider_its_status_and_a_bounded_detail():
    error = failed_answer("Twilio", 400, "x" * 2000)
    assert str(error).startswith("Twilio answered 400: x") and len(str(error)) < 600
