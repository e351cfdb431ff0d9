"""The rules every new password meets, by registration, reset or change."""

from application.ports.security import BreachedPasswords
from domain import credentials
from domain.errors import BreachedPassword


async def check_new_password(password: str, breached: BreachedPasswords) -> None:
    """The domain's rules first (8 characters to 256 bytes, not a common password:
    WeakPassword), then not in a known data breach (BreachedPassword), asked last since it
    may cross the network. Nothing is read or written: a refused password changes nothing."""
    credentials.check_new_password(password)
    if await breached.is_breached(password):
        raise BreachedPassword()
