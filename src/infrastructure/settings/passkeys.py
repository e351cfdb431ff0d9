"""The passkeys' relying party (API.md, Passkeys): WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME and
WEBAUTHN_ORIGINS, each defaulting to what the frontend already says (the host of
FRONTEND_ORIGIN, APP_NAME, FRONTEND_ORIGIN)."""

from urllib.parse import urlsplit

import msgspec

from infrastructure.settings.environment import bad, variable


class PasskeySettings(msgspec.Struct, frozen=True, kw_only=True):
    rp_id: str | None = variable("WEBAUTHN_RP_ID", None)  # unset: the host of FRONTEND_ORIGIN
    rp_name: str | None = variable("WEBAUTHN_RP_NAME", None)  # unset: APP_NAME (Sésame)
    origins: tuple[str, ...] = variable("WEBAUTHN_ORIGINS", ())  # unset: FRONTEND_ORIGIN


def relying_party(passkeys: PasskeySettings, frontend_origin: str, app_name: str) -> tuple[str, str, tuple[str, ...]]:
    """(RP id, RP name, origins) with their defaults filled in."""
    origins = passkeys.origins or (frontend_origin,)
    rp_id = passkeys.rp_id or (urlsplit(frontend_origin).hostname or "")
    return rp_id, passkeys.rp_name or app_name, origins


def check_passkeys(passkeys: PasskeySettings, frontend_origin: str, app_name: str) -> None:
    """When WEBAUTHN_RP_ID or WEBAUTHN_ORIGINS is set: every origin an http(s) URL whose host
    is the RP id or under it (browsers refuse a ceremony anywhere else, so a mismatch is said
    at start rather than at the first passkey). Unset, both follow FRONTEND_ORIGIN, which
    starts as it did before passkeys."""
    if passkeys.rp_id is None and not passkeys.origins:
        return
    rp_id, _, origins = relying_party(passkeys, frontend_origin, app_name)
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
            raise bad("WEBAUTHN_ORIGINS", "origins like https://app.example.com", origin)
        if parts.hostname != rp_id and not parts.hostname.endswith("." + rp_id):
            variable_name = "WEBAUTHN_RP_ID" if passkeys.rp_id else "WEBAUTHN_ORIGINS"
            raise bad(variable_name, f"an RP id that {parts.hostname} is or ends with", rp_id)
