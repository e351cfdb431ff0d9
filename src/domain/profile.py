"""Editing a profile: what each field accepts, and the difference between leaving a field
as it is, clearing it and setting it (the contract's PATCH /auth/profile)."""

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import SplitResult, urlsplit

from domain.credentials import normalize_name, normalize_username, visible_text
from domain.errors import InvalidInput
from domain.hosts import is_web_host
from domain.locales import SUPPORTED
from domain.users import User

MAX_PHOTO_URL = 2048  # the column; browsers and CDNs cope with it
MAX_TYPED_PHONE = 40  # "+33 (0)6 12 34 56 78" and then some
_TYPED_PHONE = re.compile(r"[0-9+ ().-]*")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
# Never unencoded in a URL (RFC 3986), plus the single quote: either could end an HTML
# attribute or a CSS url() the photo is put in.
_NEVER_RAW_IN_URL = frozenset("\"'<>\\^`{|}")
# Where each editable field lives: on the account (User) or on its Profile.
ACCOUNT_FIELDS = ("username", "phone_number")
PROFILE_FIELDS = ("firstname", "lastname", "photo", "locale")


class Unchanged(enum.Enum):
    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED
# What a client sent for a field: absent (UNCHANGED), null (None: clear it), or text.
Sent = str | None | Unchanged


@dataclass(frozen=True, slots=True)
class ProfileEdit:
    """A PATCH as sent; `phone_number` is as typed (the application parses it)."""

    firstname: Sent = UNCHANGED
    lastname: Sent = UNCHANGED
    username: Sent = UNCHANGED
    phone_number: Sent = UNCHANGED
    photo: Sent = UNCHANGED
    locale: Sent = UNCHANGED


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    """Normalised edits: a value to write, None to clear it, or UNCHANGED."""

    firstname: str | Unchanged = UNCHANGED
    lastname: str | Unchanged = UNCHANGED
    username: str | None | Unchanged = UNCHANGED
    phone_number: str | None | Unchanged = UNCHANGED  # E.164; a new number is unverified
    photo: str | None | Unchanged = UNCHANGED
    locale: str | None | Unchanged = UNCHANGED

    def changed(self, names: tuple[str, ...] = ACCOUNT_FIELDS + PROFILE_FIELDS) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in names if getattr(self, name) is not UNCHANGED}

    def against(self, user: User) -> "ProfileChanges":
        """Only what really differs from `user`: re-sending one's own number keeps it verified."""
        same = [name for name, value in self.changed().items() if value == _current(user, name)]
        return replace(self, **dict.fromkeys(same, UNCHANGED))

    def applied_to(self, user: User, now: datetime | None = None) -> User:
        """`now`: when the change is written (a new number remembers it)."""
        profile = replace(user.profile, **self.changed(PROFILE_FIELDS))
        updated = replace(user, profile=profile, **self.changed(ACCOUNT_FIELDS))
        if self.phone_number is not UNCHANGED:
            updated.phone_verified_at = None  # a new number is proved by a new code
            updated.phone_changed_at = now
        return updated


def _current(user: User, name: str) -> str | None:
    return getattr(user if name in ACCOUNT_FIELDS else user.profile, name)


def normalized_edit(edit: ProfileEdit, *, local_http_photos: bool) -> ProfileChanges:
    """Every field but the phone number through its rule. Absent, "" or blank leaves a
    field as it is; null clears username, photo and locale. A first or last name cannot be
    cleared (the web layer refuses null for them): only replaced."""
    return ProfileChanges(
        firstname=_name("firstname", edit.firstname),
        lastname=_name("lastname", edit.lastname),
        username=_edited(edit.username, normalize_username),
        photo=_edited(edit.photo, lambda raw: photo_url(raw, local_http=local_http_photos)),
        locale=_edited(edit.locale, profile_locale),
    )


def _name(field: str, sent: Sent) -> str | Unchanged:
    if sent is None:  # the account would fall back to "complete your profile"
        raise InvalidInput(field, "cannot be removed, only replaced")
    return _edited(sent, lambda raw: normalize_name(field, raw))


def _edited(sent: Sent, rule: Callable[[str], str | None]) -> str | None | Unchanged:
    if sent is UNCHANGED or sent is None:
        return sent
    value = rule(sent)  # every rule answers None for "" or blanks: not given
    return UNCHANGED if value is None else value


def photo_url(raw: str, *, local_http: bool = False) -> str | None:
    """An https URL (a photo shown to others must not be fetched in clear) of at most
    MAX_PHOTO_URL characters, whose host is a DNS name (letter-digit-hyphen labels, IDNA
    allowed) or an IP literal, with no credentials, and without spaces, quotes, control
    characters or the other characters a URL never holds unencoded (the URL ends up in
    pages and attributes; raw, they could end the attribute). http only for localhost or
    127.0.0.1 when `local_http` (development)."""
    if raw == "":
        return None
    url = visible_text("photo", raw)
    if len(url) > MAX_PHOTO_URL:
        raise InvalidInput("photo", f"must be at most {MAX_PHOTO_URL} characters")
    if any(c.isspace() for c in url):
        raise InvalidInput("photo", "must not contain spaces")
    if any(c in _NEVER_RAW_IN_URL for c in url):
        raise InvalidInput("photo", "must not contain quotes, angle brackets, backslashes or other "
                           "characters a URL must percent-encode")
    parts = _url_parts(url)
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise InvalidInput("photo", "must be a URL with a host and no credentials")
    if not is_web_host(parts.hostname, bracketed="[" in parts.netloc):
        raise InvalidInput("photo", "must have a valid host name or IP address")
    scheme = parts.scheme.lower()
    if scheme == "https" or (scheme == "http" and local_http and parts.hostname in _LOCAL_HOSTS):
        return url
    raise InvalidInput("photo", "must be an https URL")


def _url_parts(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # raises on a port that is not a number, or out of range
        return parts
    except ValueError:  # also a bracketed host that is no IPv6 address
        raise InvalidInput("photo", "is not a valid URL") from None


def profile_locale(raw: str) -> str | None:
    if raw == "":
        return None
    if raw not in SUPPORTED:
        raise InvalidInput("locale", "must be one of: " + ", ".join(SUPPORTED))
    return raw


def typed_phone(sent: Sent) -> str | None | Unchanged:
    """A phone number as typed, before it is parsed: digits, spaces, "+", "(", ")", ".",
    "-" (what phone keyboards and address books produce); "" or blanks: not given."""
    if sent is UNCHANGED or sent is None:
        return sent
    if len(sent) > MAX_TYPED_PHONE:
        raise InvalidInput("phoneNumber", f"must be at most {MAX_TYPED_PHONE} characters")
    if not _TYPED_PHONE.fullmatch(sent):
        raise InvalidInput("phoneNumber", "may hold only digits, spaces, +, (, ), . and -")
    return sent if sent.strip() else UNCHANGED
