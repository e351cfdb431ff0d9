from datetime import UTC, datetime

import pytest

from domain.errors import InvalidInput
from domain.identities import ProviderIdentity
from domain.profile import (
    UNCHANGED,
    ProfileChanges,
    ProfileEdit,
    normalized_edit,
    photo_url,
    profile_locale,
    typed_phone,
)
from domain.users import Profile
from tests.factories import UserFactory

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def edit(**sent) -> ProfileChanges:
    return normalized_edit(ProfileEdit(**sent), local_http_photos=False)


def test_absent_fields_are_unchanged():
    assert edit().changed() == {}


@pytest.mark.parametrize("name", ["firstname", "lastname", "username", "photo", "locale"])
def test_an_empty_string_means_not_given(name):
    assert edit(**{name: ""}).changed() == {}


@pytest.mark.parametrize("name", ["username", "photo", "locale"])
def test_null_clears(name):
    assert edit(**{name: None}).changed() == {name: None}


@pytest.mark.parametrize("name", ["firstname", "lastname"])
def test_a_name_cannot_be_removed(name):
    with pytest.raises(InvalidInput) as refused:
        edit(**{name: None})
    assert refused.value.field == name


def test_names_are_visible_text_in_nfc():
    changes = edit(firstname="  Zoe\u0301 ", lastname="O'Brien-Łukasz")
    assert changes.changed() == {"firstname": "Zoé", "lastname": "O'Brien-Łukasz"}
    with pytest.raises(InvalidInput):
        edit(firstname="Ada\u200b")
    with pytest.raises(InvalidInput):
        edit(lastname="x" * 101)


@pytest.mark.parametrize("username", ["ab", "a" * 31, "ada@example.com", "ada lovelace", "-ada", "ädä"])
def test_username_rule(username):
    with pytest.raises(InvalidInput):
        edit(username=username)


def test_username_keeps_its_case():
    assert edit(username="Ada.Love_1-x").username == "Ada.Love_1-x"


@pytest.mark.parametrize("url", [
    "https://cdn.example.com/ada.png", "https://example.com:8443/a?size=2#x", "HTTPS://example.com/a",
    "https://CDN.Example.com/a.png", "https://a-b.c0.example/%22x%22.png", "https://localhost/ada.png",
    "https://bücher.example/ada.png", "https://xn--bcher-kva.example/ada.png",  # IDNA, either form
    "https://192.0.2.7/a.png", "https://[2001:db8::7]:8443/a.png",  # IP literals
    "https://example.com/photos/café.png", "https://example.com/" + "a" * (2048 - 20),
])
def test_photo_accepts_https_urls(url):
    assert photo_url(url) == url


@pytest.mark.parametrize("url", [
    "http://cdn.example.com/ada.png", "javascript:alert(1)", "data:image/png;base64,AAAA",
    "https://user:pw@example.com/a.png", "https:///a.png", "https://example.com:99999/a",
    "https://example.com/a b.png", " https://example.com/a.png", "ftp://example.com/a",
    "https://example.com/" + "a" * 2048, "https://example.com/\u202ea",
    # hosts that are no DNS name nor IP literal
    "https://%00/", "https://0*", "https://0", "https://0x7f.1/a", "https://999.0.0.1/a",
    "https://a_b.example/a", "https://-a.example/a", "https://a-.example/a", "https://a..b/a",
    "https://example.com./a", "https://" + "a" * 64 + ".example/a", "https://[v1.x]/a",
    "https://[fe80::1%25eth0]/a", "https://[2001:db8::7/a", "https://straße.example/a", "https://xn--a-/a",
    # quotes and what a URL always percent-encodes: they could close an attribute
    "https://example.com/a\"onerror=\"x.png", "https://example.com/a'b.png", "https://example.com/<a>",
    "https://example.com\\@evil.example/a", "https://example.com/`a`", "https://example.com/{a}|^",
    # control characters, raw
    "https://example.com/a\x00.png", "https://example.com/a\x7f.png", "https://example.com/a\r\nx",
])
def test_photo_refuses_anything_else(url):
    with pytest.raises(InvalidInput) as refused:
        photo_url(url)
    assert refused.value.field == "photo"


def test_http_photos_only_on_localhost_in_development():
    assert photo_url("http://localhost:3000/a.png", local_http=True) == "http://localhost:3000/a.png"
    assert photo_url("http://127.0.0.1/a.png", local_http=True) == "http://127.0.0.1/a.png"
    for url, local_http in [("http://localhost/a.png", False), ("http://example.com/a.png", True)]:
        with pytest.raises(InvalidInput):
            photo_url(url, local_http=local_http)


def test_locale_is_fr_or_en():
    assert (profile_locale("fr"), profile_locale("en"), profile_locale("")) == ("fr", "en", None)
    for locale in ["de", "FR", "fr-FR", " en"]:
        with pytest.raises(InvalidInput):
            profile_locale(locale)


def test_typed_phone_allows_what_phone_keyboards_type():
    assert typed_phone("+33 (0)6 12.34-56") == "+33 (0)6 12.34-56"
    assert typed_phone("  ") is UNCHANGED and typed_phone("") is UNCHANGED
    assert typed_phone(None) is None and typed_phone(UNCHANGED) is UNCHANGED
    for raw in ["06 12 34 56 78 ext 2", "０６12345678", "1" * 41]:
        with pytest.raises(InvalidInput):
            typed_phone(raw)


def test_a_new_number_is_unverified_and_the_same_one_is_no_change():
    user = UserFactory.build(phone_number="+33612345678", phone_verified_at=NOW)
    same = ProfileChanges(phone_number="+33612345678").against(user)
    assert same.changed() == {}
    updated = ProfileChanges(phone_number="+33700000000").against(user).applied_to(user)
    assert (updated.phone_number, updated.phone_verified_at) == ("+33700000000", None)


def test_applied_changes_leave_the_rest():
    user = UserFactory.build(profile=Profile("Ada", "Lovelace", "https://e.x/a.png", "fr"))
    updated = ProfileChanges(lastname="Byron", photo=None).applied_to(user)
    assert updated.profile == Profile("Ada", "Byron", None, "fr")
    assert updated.username == user.username


@pytest.mark.parametrize(("picture", "kept"), [
    ("https://lh3.googleusercontent.com/a/ada=s96-c", "https://lh3.googleusercontent.com/a/ada=s96-c"),
    ("https://%00/", None), ("https://0*", None), ('https://img.example/a".png', None),
    ("http://img.example/a.png", None), ("https://img.example/" + "a" * 2048, None), ("", None), (None, None),
])
def test_a_providers_picture_is_kept_only_if_a_typed_photo_would_be(picture, kept):
    """Dropped, not refused: a bad picture is never stored, and never stops a sign-in."""
    identity = ProviderIdentity("google", "sub-1", given_name="Ada", picture=picture)
    assert identity.profile().photo == kept
    assert identity.profile().firstname == "Ada"
