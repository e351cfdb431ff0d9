"""SECRET_KEY_FALLBACKS: digests and ciphertexts of an older key still count; new ones are
made under SECRET_KEY only; what no key opens reads as absent, never as an error."""

import logging
from uuid import uuid4

import pytest

from application.services.device_cookies import DeviceCookies
from infrastructure.security.cipher import TokenCipher, Unreadable
from infrastructure.security.keys import key_ring
from infrastructure.security.tokens import HmacTokenMinter
from infrastructure.settings import ConfigError, load_settings

OLD, NEW, OTHER = "old-key-" + "a" * 32, "new-key-" + "b" * 32, "other-key-" + "c" * 32


def test_the_ring_is_the_current_key_then_each_fallback_once():
    assert key_ring(NEW, [OLD, NEW, OLD, OTHER]) == (NEW, OLD, OTHER)
    assert key_ring(NEW) == (NEW,)


def test_digest_candidates_are_the_current_key_s_first_then_each_fallback_s():
    rotated = HmacTokenMinter(NEW, [OLD])
    before, after = HmacTokenMinter(OLD), HmacTokenMinter(NEW)
    assert rotated.digests("tok") == (after.digest("tok"), before.digest("tok"))
    assert rotated.digest("tok") == after.digest("tok")  # what is written
    assert HmacTokenMinter(NEW, [NEW]).digests("tok") == (after.digest("tok"),)


def test_successors_are_derived_under_the_current_key_only():
    assert HmacTokenMinter(NEW, [OLD]).successor("tok") == HmacTokenMinter(NEW).successor("tok")
    assert HmacTokenMinter(NEW).successor("tok") != HmacTokenMinter(OLD).successor("tok")


def test_a_fallback_decrypts_what_it_sealed_and_the_current_key_seals_anew():
    sealed = TokenCipher(OLD).encrypt("provider-token")
    rotated = TokenCipher(NEW, [OLD])
    assert rotated.decrypt(sealed) == "provider-token"
    resealed = rotated.reseal(sealed)
    assert TokenCipher(NEW).decrypt(resealed) == "provider-token"
    assert rotated.reseal(resealed) is None  # already under SECRET_KEY: nothing to do
    with pytest.raises(Unreadable):
        TokenCipher(OLD).decrypt(rotated.encrypt("fresh"))  # new values: the current key only


@pytest.mark.parametrize("stored", [TokenCipher(OTHER).encrypt("secret"), "v1:not-base64!", "v1:c2hvcnQ="])
def test_what_no_key_opens_is_unreadable_or_absent_with_a_warning_naming_no_secret(stored, caplog):
    cipher = TokenCipher(NEW, [OLD])
    with pytest.raises(Unreadable):
        cipher.decrypt(stored)
    with pytest.raises(Unreadable):
        cipher.reseal(stored)
    with caplog.at_level(logging.WARNING, logger="sesame"):
        assert cipher.readable_or_none(stored, "provider access token") is None
    [record] = caplog.records
    assert "provider access token" in record.getMessage() and stored not in record.getMessage()
    assert NEW not in record.getMessage() and record.exc_info is None


def test_absent_stays_absent():
    assert TokenCipher(NEW).decrypt(None) is None
    assert TokenCipher(NEW).readable_or_none(None, "provider id token") is None


def test_a_device_cookie_of_a_fallback_key_counts_and_is_renewed_at_sign_in():
    user = uuid4()
    old_cookie = DeviceCookies(HmacTokenMinter(OLD)).issue(user)
    rotated = DeviceCookies(HmacTokenMinter(NEW, [OLD]))
    assert rotated.recognise(old_cookie, user) is not None
    renewed = rotated.for_sign_in(old_cookie, user)
    assert renewed is not None and DeviceCookies(HmacTokenMinter(NEW)).recognise(renewed, user)
    assert rotated.for_sign_in(renewed, user) is None  # current: kept
    assert DeviceCookies(HmacTokenMinter(NEW)).recognise(old_cookie, user) is None  # fallback gone


def settings(**env):
    return load_settings(env, env_file="/nonexistent")


def test_fallbacks_are_a_comma_separated_list():
    s = settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=f" {OLD} ,{OTHER},")
    assert s.keys.fallbacks == (OLD, OTHER)
    assert settings().keys.fallbacks == ()


@pytest.mark.parametrize("fallbacks", ["short", f"{OLD},short"])
def test_production_refuses_a_short_fallback_without_printing_it(fallbacks):
    with pytest.raises(ConfigError) as error:
        settings(APP_ENV="production", SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=fallbacks)
    assert str(error.value).startswith("SECRET_KEY_FALLBACKS: key ") and "short" not in str(error.value)
