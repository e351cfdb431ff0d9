import hashlib
from dataclasses import dataclass
from datetime import datetime

from application.policy import AddressLimit
from application.ports.limits import AttemptCounter
from domain.client_addresses import counted_address
from domain.errors import RateLimited


def counter_key(scope: str, value: str) -> str:
    """A fixed-size key whatever was typed: it always fits the counter's key column,
    and what people typed (perhaps a password in the wrong field) is never stored."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{scope}:{digest}"


@dataclass(frozen=True, slots=True)
class AddressLimiter:
    """A flood shield per client address and endpoint (`scope`), shared by every process.
    Every per-address limit goes through here: an IPv6 client counts by its /64
    (domain.client_addresses), so cycling through one's own addresses gains nothing."""

    counter: AttemptCounter
    scope: str
    limit: AddressLimit = AddressLimit()

    async def admit(self, ip: str | None, now: datetime) -> None:
        """Count this request for its client; refuse it over the limit. Requests
        without a valid address share one bucket: a junk forwarded address must not
        be a way around the limit."""
        key = counter_key(self.scope, counted_address(ip))
        window = await self.counter.hit(key, self.limit.window, now)
        if window.hits > self.limit.requests:
            raise RateLimited(window.retry_after(now))
