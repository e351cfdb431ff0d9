"""Recovery codes: single-use codes for a lost authenticator, shown once, stored as digests.

Rules:
- 10 codes at a time; each carries 50 random bits, written as 10 characters of Crockford's
  base32 (digits and lowercase letters without i, l, o, u) split by a dash: `k3v9q-7hx2m`;
- typed in any case, with or without the dash or spaces, and Crockford's look-alikes read as
  what they look like (o as 0, i and l as 1): the normalised form is what is digested;
- each code works once; a new set replaces the whole old one.
"""

RECOVERY_CODES = 10
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
CODE_LENGTH = 10
CODE_BITS = CODE_LENGTH * 5  # 50
_LOOK_ALIKES = str.maketrans({"o": "0", "i": "1", "l": "1"})


def format_recovery_code(number: int) -> str:
    """The readable form of a 50-bit number: ten characters, a dash in the middle."""
    if not 0 <= number < 1 << CODE_BITS:
        raise ValueError("a recovery code is a 50-bit number")
    characters = "".join(ALPHABET[(number >> shift) & 31] for shift in range(CODE_BITS - 5, -1, -5))
    return f"{characters[:5]}-{characters[5:]}"


def normalize_recovery_code(typed: str) -> str | None:
    """The form that is digested (ten characters, no dash), or None when `typed` cannot be
    a recovery code."""
    code = "".join(typed.split()).replace("-", "").lower().translate(_LOOK_ALIKES)
    if len(code) != CODE_LENGTH or any(character not in ALPHABET for character in code):
        return None
    return code
