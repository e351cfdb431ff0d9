"""Which language a message is written in."""

SUPPORTED = ("fr", "en")


def choose_locale(profile_locale: str | None, accept_language: str | None, default: str) -> str:
    """The profile's locale, else the best supported language of Accept-Language, else the
    default (the contract's order)."""
    if profile_locale in SUPPORTED:
        return profile_locale
    for tag in _by_preference(accept_language or ""):
        language = tag.split("-")[0].lower()
        if language in SUPPORTED:
            return language
    return default


def _by_preference(header: str) -> list[str]:
    """Accept-Language tags, highest q first (ties keep the header's order); q=0 is refused."""
    weighted = []
    for position, part in enumerate(header.split(",")[:20]):  # a bounded header
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]
