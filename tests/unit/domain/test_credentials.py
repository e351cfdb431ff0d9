import pytest

from domain.credentials import (
    check_new_password,
    normalize_email,
    normalize_name,
    normalize_username,
    optional_text,
)
from domain.errors import InvalidInput, WeakPassword


class TestEmail:
    def test_is_trimmed_and_lower_cased(self):
        assert normalize_email("  Alice@Example.COM ") == "alice@example.com"

    @pytest.mark.parametrize("raw", ["", "alice", "a@b", "a b@c.d", "@c.d", "a@@c.d", "a@.d"])
    def test_rejects_what_is_not_an_address(self, raw):
        with pytest.raises(InvalidInput) as caught:
            normalize_email(raw)
        assert caught.value.field == "email"

    def test_rejects_over_254_characters(self):
        with pytest.raises(InvalidInput, match="254"):
            normalize_email("a" * 60 + "@" + "b" * 190 + ".com")


class TestUsernameAndNames:
    def test_empty_means_not_given(self):
        assert normalize_username("") is None
        assert normalize_name("firstname", "  ") is None
        assert optional_text(None) is None

    def test_username_keeps_its_case(self):
        assert normalize_username("Ada_L") == "Ada_L"

    @pytest.mark.parametrize("raw", ["ab", "a" * 31, "ada@home", "-ada", "ad a"])
    def test_username_rules(self, raw):
        with pytest.raises(InvalidInput):
            normalize_username(raw)

    def test_name_over_100_characters(self):
        with pytest.raises(InvalidInput) as caught:
            normalize_name("lastname", "x" * 101)
        assert caught.value.field == "lastname"


class TestNewPassword:
    def test_accepts_a_reasonable_password(self):
        check_new_password("correct horse battery")

    @pytest.mark.parametrize("common", ["password1", "Password1", "12345678", "qwertyuiop"])
    def test_refuses_common_passwords_whatever_the_case(self, common):
        with pytest.raises(WeakPassword):
            check_new_password(common)

    def test_refuses_fewer_than_8_bytes(self):
        with pytest.raises(WeakPassword):
            check_new_password("x7#kq")

    def test_counts_bytes_not_characters(self):
        check_new_password("é" * 128)  # 256 bytes: the limit
        with pytest.raises(InvalidInput) as caught:
            check_new_password("é" * 129)
        assert caught.value.field == "password"
