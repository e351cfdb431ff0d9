"""PASSWORD_BREACH_CHECK=false: no password is ever held breached, and no one is asked
(pwned_passwords.py asks; it and httpx are imported only when the check is on)."""

from application.ports.security import BreachedPasswords


class NoBreachCheck(BreachedPasswords):
    async def is_breached(self, password: str) -> bool:
        return False
