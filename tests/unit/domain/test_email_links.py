import pytest

from domain.email_links import mask_email


@pytest.mark.parametrize(("email", "masked"), [
    ("new@example.com", "n***@example.com"),
    ("n@example.com", "n***@example.com"),
    ("zoé.x@xn--bcher-kva.example", "z***@xn--bcher-kva.example"),
])
def test_a_masked_email_shows_its_first_letter_and_domain(email, masked):
    assert mask_email(email) == masked
