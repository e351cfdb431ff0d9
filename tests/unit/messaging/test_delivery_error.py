"""What a provider's answer means, as the contract's "Delivery" says: 429 and 5xx retried,
other 4xx final; the Retry-After of a 429 or 503 kept."""

import pytest

from infrastructure.messaging.delivery_error import failed_answer, retryable_status


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
