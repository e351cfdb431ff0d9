"""Retries as the contract's "Delivery" says: about 2 s first, doubling, at most 5 min apart,
never before a provider's Retry-After, for as long as the message is useful (its deadline,
from its template); 429, 5xx retried, other 4xx final."""

from datetime import UTC, datetime, timedelta

import pytest

from application.ports.messages import (
    EMAIL_CHANGE,
    EMAIL_CHANGE_NOTICE,
    IDENTIFIER_LOCKED,
    NEW_DEVICE,
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    PHONE_CODE,
    VERIFY_EMAIL,
)
from infrastructure.messaging.delivery import (
    deliver_until,
    expired,
    failed_answer,
    next_attempt,
    retry_after,
    retry_delay,
    retryable_status,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("template", "useful_for"), [
    (PASSWORD_RESET, timedelta(minutes=15)),
    (PHONE_CODE, timedelta(minutes=10)),
    (VERIFY_EMAIL, timedelta(hours=24)),
    (EMAIL_CHANGE, timedelta(hours=24)),
    (IDENTIFIER_LOCKED, timedelta(hours=1)),
    (PASSWORD_CHANGED, timedelta(hours=24)),
    (NEW_DEVICE, timedelta(hours=24)),
    (EMAIL_CHANGE_NOTICE, timedelta(hours=24)),
    ("a_template_added_later", timedelta(hours=24)),  # a notice unless listed
])
def test_each_message_is_worth_delivering_as_long_as_what_it_carries(template, useful_for):
    assert deliver_until(template, T0) == T0 + useful_for


def test_the_backoff_starts_at_2_seconds_and_doubles():
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [2, 4, 8, 16, 32, 64, 128, 256]


def test_the_backoff_never_exceeds_5_minutes():
    assert retry_delay(9) == retry_delay(10) == retry_delay(500) == timedelta(minutes=5)


def test_the_next_attempt_follows_the_backoff_within_the_deadline():
    deadline = T0 + timedelta(hours=24)
    assert next_attempt(1, T0, deadline) == T0 + timedelta(seconds=2)
    assert next_attempt(30, T0, deadline) == T0 + timedelta(minutes=5)


def test_a_retry_that_would_pass_the_deadline_abandons_instead():
    deadline = T0 + timedelta(minutes=15)
    assert next_attempt(9, deadline - timedelta(minutes=5, seconds=1), deadline) is not None
    assert next_attempt(9, deadline - timedelta(minutes=5), deadline) is None
    assert next_attempt(1, deadline - timedelta(seconds=1), deadline) is None


def test_retry_after_seconds_and_http_dates_are_read():
    assert retry_after("3", T0) == T0 + timedelta(seconds=3)
    assert retry_after(" 120 ", T0) == T0 + timedelta(minutes=2)
    assert retry_after("Thu, 01 Jan 2026 00:01:30 GMT", T0) == T0 + timedelta(seconds=90)
    assert retry_after(None, T0) is None
    assert retry_after("", T0) is None
    assert retry_after("soon", T0) is None and retry_after("-5", T0) is None


def test_a_retry_after_longer_than_the_backoff_delays_the_next_attempt():
    deadline = T0 + timedelta(minutes=15)
    assert next_attempt(1, T0, deadline, retry_after("3", T0)) == T0 + timedelta(seconds=3)
    assert next_attempt(5, T0, deadline, retry_after("3", T0)) == T0 + timedelta(seconds=32)  # backoff longer
    later = retry_after("Thu, 01 Jan 2026 00:10:00 GMT", T0)
    assert next_attempt(1, T0, deadline, later) == T0 + timedelta(minutes=10)


def test_a_retry_after_past_the_deadline_abandons():
    assert next_attempt(1, T0, T0 + timedelta(minutes=10), retry_after("600", T0)) is None
    assert next_attempt(1, T0, T0 + timedelta(minutes=10), retry_after("599", T0)) is not None


def test_a_message_unsent_at_its_deadline_is_past_use():
    assert not expired(T0 + timedelta(minutes=15), T0 + timedelta(minutes=14, seconds=59))
    assert expired(T0 + timedelta(minutes=15), T0 + timedelta(minutes=15))


@pytest.mark.parametrize(("status", "retryable"), [
    (429, True), (500, True), (502, True), (503, True), (504, True),
    (400, False), (401, False), (403, False), (404, False), (413, False), (451, False),
])
def test_provider_answers_are_classified(status, retryable):
    assert retryable_status(status) is retryable
    assert failed_answer("SendGrid", status, "detail").retryable is retryable


@pytest.mark.parametrize(("status", "kept"), [(429, True), (503, True), (500, False), (400, False)])
def test_retry_after_is_kept_from_429_and_503_answers(status, kept):
    assert failed_answer("SendGrid", status, "", "3").retry_after == ("3" if kept else None)


def test_a_failure_names_the_provider_its_status_and_a_bounded_detail():
    error = failed_answer("Twilio", 400, "x" * 2000)
    assert str(error).startswith("Twilio answered 400: x") and len(str(error)) < 600
