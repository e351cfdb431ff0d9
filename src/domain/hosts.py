"""Host names as DNS and browsers know them: letter-digit-hyphen labels (a Unicode label
stands for its IDNA A-label), or an IP literal."""

import ipaddress
import re
from encodings.idna import ToASCII, ToUnicode

_LDH_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)
# Browsers (WHATWG URL) read a host whose last label is a number as an IPv4 address, in
# whatever base: "0" is 0.0.0.0, "0x7f.1" is 127.0.0.1. Only the dotted-decimal form is kept.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*", re.IGNORECASE)


def a_label(label: str) -> str:
    """The ASCII form of one label. Raises UnicodeError for one IDNA refuses (empty, too
    long, a typed "xn--" that is not valid punycode, or one IDNA 2003 would change)."""
    ascii_label = ToASCII(label).decode("ascii")
    u_label = ToUnicode(ascii_label)  # raises if a typed "xn--" label is not valid punycode
    # The stdlib codec is IDNA 2003, which maps ß to ss and ς to σ where IDNA 2008 (today's
    # registries) keeps them, as another domain: refuse rather than store someone else's.
    if label not in (ascii_label, u_label):
        raise UnicodeError(f"{label!r} changes under IDNA 2003")
    return ascii_label


def is_web_host(host: str, *, bracketed: bool = False) -> bool:
    """`host` as urlsplit gives it (lower-case, without the brackets of an IP literal, which
    `bracketed` tells): a DNS name of letter-digit-hyphen labels, IDNA allowed, or an IPv4
    address, or, in brackets, an IPv6 address (no zone: it names an interface of the
    viewer's machine)."""
    if bracketed or ":" in host:
        return bracketed and "%" not in host and _is_address(ipaddress.IPv6Address, host)
    labels = host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        return _is_address(ipaddress.IPv4Address, host)
    try:
        return all(_LDH_LABEL.fullmatch(a_label(label)) for label in labels)
    except UnicodeError:
        return False


def _is_address(kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address], text: str) -> bool:
    try:
        kind(text)
    except ValueError:
        return False
    return True
