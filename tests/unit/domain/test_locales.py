import pytest

from domain.locales import choose_locale


@pytest.mark.parametrize(
    ("profile", "header", "expected"),
    [
        ("en", "fr-FR,fr;q=0.9", "en"),  # the profile wins
        (None, "en-US,en;q=0.9,fr;q=0.8", "en"),
        (None, "de-DE,de;q=0.9,fr;q=0.5,en;q=0.4", "fr"),  # the best supported one
        (None, "en;q=0.2, fr;q=0.9", "fr"),  # by weight, not by order
        (None, "en;q=0, de", "fr"),  # q=0 means "not this one"
        (None, "de, it", "fr"),  # nothing supported: the default
        (None, None, "fr"),
        ("de", "en", "en"),  # an unsupported profile locale is ignored
        (None, "en;q=abc, fr", "fr"),  # a malformed weight is skipped
    ],
)
def test_the_profile_then_accept_language_then_the_default(profile, header, expected):
    assert choose_locale(profile, header, default="fr") == expected


def test_the_default_is_configurable():
    assert choose_locale(None, "de", default="en") == "en"
