import pytest

from domain.credentials import (
    check_new_password,
    normalize_email,
    normalize_identifier,
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


COMPOSED = "jos\u00e9@example.com"  # é as one code point
DECOMPOSED = "jose\u0301@example.com"  # e + combining acute accent
# Invisible, format and control characters someone could slip into what is typed.
INVISIBLE = {
    "zero_width_space": "\u200b",
    "right_to_left_override": "\u202e",
    "byte_order_mark": "\ufeff",
    "soft_hyphen": "\u00ad",
    "zero_width_joiner": "\u200d",
    "c1_control_0x80": "\u0080",
    "c1_control_0x9f": "\u009f",
    "next_line_c1": "\u0085",
    "line_separator": "\u2028",
    "paragraph_separator": "\u2029",
    "private_use": "\ue000",
    "unassigned": "\u0378",
    "noncharacter": "\uffff",
    "hangul_filler": "\u3164",
    "combining_grapheme_joiner": "\u034f",
    "tab": "\t",
}
INVISIBLE_PARAMS = [pytest.param(char, id=name) for name, char in INVISIBLE.items()]


class TestEmailUnicode:
    def test_composed_and_decomposed_forms_are_one_address(self):
        assert normalize_email(DECOMPOSED) == normalize_email(COMPOSED) == COMPOSED

    def test_upper_case_decomposed_is_the_same_address(self):
        assert normalize_email("JOSE\u0301@Example.COM") == COMPOSED

    def test_a_full_width_domain_is_the_ascii_domain(self):
        assert normalize_email("ana@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com") == "ana@example.com"
        assert normalize_email("ana@ＥＸＡＭＰＬＥ．ｃｏｍ") == "ana@example.com"

    def test_an_ideographic_full_stop_separates_labels(self):
        assert normalize_email("ana@example\u3002com") == "ana@example.com"

    def test_a_unicode_domain_is_stored_as_punycode(self):
        assert normalize_email("ana@B\u00fccher.de") == "ana@xn--bcher-kva.de"

    def test_the_punycode_spelling_is_the_same_address(self):
        assert normalize_email("ana@XN--BCHER-KVA.de") == normalize_email("ana@bücher.de")

    def test_the_local_part_keeps_its_letters(self):
        assert normalize_email("Zoë.Ñúñez@example.com") == "zoë.ñúñez@example.com"

    @pytest.mark.parametrize("domain", ["fa\u00df.de", "\u03c3\u03bf\u03c6\u03bf\u03c2.gr"])
    def test_a_domain_idna_2003_would_change_is_refused(self, domain):
        # ß and final ς: IDNA 2003 maps them (fass.de) where IDNA 2008 keeps another domain.
        with pytest.raises(InvalidInput) as caught:
            normalize_email(f"ana@{domain}")
        assert caught.value.field == "email"

    @pytest.mark.parametrize("domain", ["xn--zz.com", "a..com", "example.com.", "d" * 64 + ".com"])
    def test_an_invalid_domain_is_refused(self, domain):
        with pytest.raises(InvalidInput) as caught:
            normalize_email(f"ana@{domain}")
        assert caught.value.field == "email"

    @pytest.mark.parametrize("raw", ["ana@b\ufe6bc.com", "ana@exa\u3000mple.com"])
    def test_what_nfkc_turns_into_an_at_or_a_space_is_refused(self, raw):
        with pytest.raises(InvalidInput, match="not a valid email"):
            normalize_email(raw)

    def test_too_long_once_the_domain_is_encoded(self):
        domain = "\u00e9" * 40 + "." + "d" * 60 + "." + "e" * 60 + ".com"  # é×40: a 48-char A-label
        email = "a" * (254 - 1 - len(domain)) + "@" + domain
        assert len(email) == 254
        with pytest.raises(InvalidInput, match="254") as caught:
            normalize_email(email)
        assert caught.value.field == "email"

    @pytest.mark.parametrize("char", INVISIBLE_PARAMS)
    @pytest.mark.parametrize("where", ["local", "domain", "end"])
    def test_an_invisible_character_is_refused(self, char, where):
        raw = {"local": f"an{char}a@example.com", "domain": f"ana@exam{char}ple.com",
               "end": f"ana@example.com{char}"}[where]
        with pytest.raises(InvalidInput, match="invisible") as caught:
            normalize_email(raw)
        assert caught.value.field == "email"


class TestLoginIdentifier:
    @pytest.mark.parametrize("typed", [COMPOSED, DECOMPOSED, " JOSE\u0301@ＥＸＡＭＰＬＥ.com "])
    def test_any_spelling_of_an_email_is_its_stored_form(self, typed):
        assert normalize_identifier(typed) == COMPOSED

    def test_a_username_is_kept_as_typed(self):
        assert normalize_identifier(" Ada_L ") == "Ada_L"

    def test_an_address_no_account_can_have_is_looked_up_as_typed(self):
        assert normalize_identifier("a@b") == "a@b"

    @pytest.mark.parametrize("char", INVISIBLE_PARAMS)
    def test_an_invisible_character_is_refused(self, char):
        with pytest.raises(InvalidInput) as caught:
            normalize_identifier(f"ana{char}@example.com")
        assert caught.value.field == "emailOrUsername"


class TestNameUnicode:
    @pytest.mark.parametrize("name", ["Zoë", "O'Brien", "Jean-Luc", "María José", "山田 太郎",
                                      "山田\u3000太郎", "Ngũgĩ", "Ólafur", "Иван", "محمد"])
    def test_legitimate_names_are_kept(self, name):
        assert normalize_name("firstname", name) == name

    def test_a_name_is_stored_composed(self):
        assert normalize_name("firstname", "Zoe\u0308") == "Zo\u00eb"

    def test_the_limit_counts_composed_characters(self):
        assert normalize_name("lastname", "e\u0301" * 100) == "\u00e9" * 100

    @pytest.mark.parametrize("char", INVISIBLE_PARAMS)
    @pytest.mark.parametrize("field", ["firstname", "lastname"])
    def test_an_invisible_character_is_refused(self, char, field):
        with pytest.raises(InvalidInput, match="invisible") as caught:
            normalize_name(field, f"Ana{char}Maria")
        assert caught.value.field == field

    @pytest.mark.parametrize("char", INVISIBLE_PARAMS)
    def test_an_invisible_character_in_a_username_is_refused(self, char):
        with pytest.raises(InvalidInput, match="invisible") as caught:
            normalize_username(f"ada{char}lovelace")
        assert caught.value.field == "username"


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

    def test_refuses_fewer_than_8_characters(self):
        with pytest.raises(WeakPassword):
            check_new_password("x7#kq")

    def test_counts_characters_for_the_minimum_as_the_schema_does(self):
        with pytest.raises(WeakPassword):
            check_new_password("暗号暗号暗号")  # 6 characters, 18 bytes
        check_new_password("暗号暗号暗号暗号")  # 8 characters

    def test_counts_bytes_not_characters(self):
        check_new_password("é" * 128)  # 256 bytes: the limit
        with pytest.raises(InvalidInput) as caught:
            check_new_password("é" * 129)
        assert caught.value.field == "password"
