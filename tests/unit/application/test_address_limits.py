"""Every per-address limit counts an IPv6 client by its /64: one client holds a whole /64
and could otherwise use a new address for each request. IPv4 stays per address."""

import itertools
from dataclasses import replace
from datetime import datetime, UTC

import pytest

from application.policy import AddressLimit
from application.services.address_limit import AddressLimiter
from domain.clients import ClientInfo
from domain.errors import InvalidCode, InvalidCredentials, RateLimited
from domain.profile import ProfileEdit
from tests.factories import RegistrationFactory
from tests.fakes import InMemoryAttemptCounter
from tests.unit.conftest import CLIENT

NOW = datetime(2026, 1, 1, tzinfo=UTC)
_hosts = itertools.count(1)


def in_one_64(prefix: str = "2001:db8:ab:cd") -> ClientInfo:
    """Another address of the /64 `prefix` each time."""
    return ClientInfo(ip=f"{prefix}:{next(_hosts):x}::1")


async def test_addresses_of_one_64_share_a_count():
    limiter = AddressLimiter(InMemoryAttemptCounter(), "test-ip", AddressLimit(requests=3))
    for _ in range(3):
        await limiter.admit(in_one_64().ip, NOW)
    with pytest.raises(RateLimited):
        await limiter.admit(in_one_64().ip, NOW)
    await limiter.admit(in_one_64("2001:db8:ab:ce").ip, NOW)  # the next /64 is another client


async def test_an_ipv4_mapped_address_is_its_ipv4_client_and_ipv4_counts_per_address():
    limiter = AddressLimiter(InMemoryAttemptCounter(), "test-ip", AddressLimit(requests=2))
    await limiter.admit("198.51.100.7", NOW)
    await limiter.admit("::ffff:198.51.100.7", NOW)
    with pytest.raises(RateLimited):
        await limiter.admit("::ffff:c633:6407", NOW)  # 198.51.100.7 again, spelt in hex
    await limiter.admit("198.51.100.8", NOW)


async def test_register_counts_an_ipv6_client_by_its_64(world):
    for _ in range(world.register_limit.requests):
        await world.register.execute(RegistrationFactory.build(), in_one_64())
    with pytest.raises(RateLimited):
        await world.register.execute(RegistrationFactory.build(), in_one_64())


async def test_login_counts_an_ipv6_client_by_its_64(world):
    for _ in range(world.limits.per_address.requests):
        with pytest.raises(InvalidCredentials):
            await world.login.execute(f"{next(_hosts)}@example.com", "wrong-password", in_one_64())
    with pytest.raises(RateLimited):
        await world.login.execute("ghost@example.com", "wrong-password", in_one_64())


async def test_forgot_password_counts_an_ipv6_client_by_its_64(world):
    for _ in range(world.recovery_policy.per_address.requests):
        await world.forgot_password.admit("nobody@example.com", None, in_one_64())
    with pytest.raises(RateLimited):
        await world.forgot_password.admit("nobody@example.com", None, in_one_64())


async def test_verify_phone_counts_an_ipv6_client_by_its_64(world):
    for _ in range(world.recovery_policy.per_address.requests):
        with pytest.raises(InvalidCode):
            await world.verify_reset_code.execute("+33612345678", "123456", in_one_64())
    with pytest.raises(RateLimited):
        await world.verify_reset_code.execute("+33612345678", "123456", in_one_64())


async def test_phone_code_requests_count_an_ipv6_client_by_its_64(world):
    limit = world.phone_policy.per_address.requests
    world.phone_policy = replace(world.phone_policy, codes_per_number=limit + 1)
    sids = []
    for n in range(limit + 1):  # one account per number: only the address limit can refuse
        signed_in = await world.register.execute(RegistrationFactory.build(), CLIENT)
        world.prove_address(signed_in.user.id)
        await world.update_profile.execute(signed_in.tokens.sid, ProfileEdit(phone_number=f"+336123456{n:02d}"))
        sids.append(signed_in.tokens.sid)
    for sid in sids[:limit]:
        world.codes.queued.append("123456")
        await world.request_phone_code.execute(sid, in_one_64())
    with pytest.raises(RateLimited):
        await world.request_phone_code.execute(sids[limit], in_one_64())
