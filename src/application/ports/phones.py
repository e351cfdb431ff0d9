from abc import abstractmethod
from typing import Protocol


class PhoneNumbers(Protocol):
    """Reads phone numbers as people type them (libphonenumber's rules, in an adapter)."""

    @abstractmethod
    def parse(self, raw: str, region: str) -> str:
        """The number in E.164 ("+33612345678"). `region` (ISO 3166, "FR") is assumed for a
        number written without "+". Raises InvalidInput("phoneNumber", ...) when it is not a
        valid number."""
