"""The key ring: SECRET_KEY, then the SECRET_KEY_FALLBACKS it replaced.

Rules:
- the current key comes first and is the only one that makes new digests and ciphertexts;
- fallbacks only read: a digest or ciphertext made under one of them is still recognised;
- a fallback equal to the current key, or listed twice, is dropped (it adds nothing, and
  every extra key is one more digest per lookup).
"""

from collections.abc import Iterable


def key_ring(secret_key: str, fallbacks: Iterable[str] = ()) -> tuple[str, ...]:
    """The keys to try, current first, without repeats."""
    return tuple(dict.fromkeys((secret_key, *fallbacks)))
