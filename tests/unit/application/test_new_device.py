"""The new-device alert on fakes: password and provider sign-ins."""

from application.ports.messages import NEW_DEVICE
from domain.clients import ClientInfo
from domain.email_links import SECURE_ACCOUNT
from tests.unit.application.test_email_verification import PASSWORD, register
from tests.unit.application.test_forgot_password import sent
from tests.unit.application.test_provider_sign_in import sign_in
from tests.unit.conftest import CLIENT

ELSEWHERE = ClientInfo(ip="198.51.100.23", user_agent="Mozilla/5.0 (Windows NT 10.0) Firefox/133.0")


async def test_a_sign_in_from_a_new_browser_and_network_mails_a_not_you_link(world):
    user, _ = await register(world, email="ada@example.com")

    await world.login.execute("ada@example.com", PASSWORD, ELSEWHERE)

    [alert] = sent(world, NEW_DEVICE)
    assert alert.recipient == "ada@example.com"
    assert alert.values == {"when": "2026-01-01 00:00 UTC", "ip": "198.51.100.23", "browser": "Firefox on Windows"}
    link = world.db.email_links[world.tokens.digest(alert.secrets["token"])].email_link
    assert (link.purpose, link.user_id) == (SECURE_ACCOUNT, user.id)
    assert (user.id, "signed_in_new_device", {"browser": "Firefox on Windows"}) in world.db.events


async def test_a_device_already_seen_sends_nothing(world):
    await register(world, email="ada@example.com")
    await world.login.execute("ada@example.com", PASSWORD, CLIENT)
    await world.login.execute("ada@example.com", PASSWORD, ELSEWHERE)
    await world.login.execute("ada@example.com", PASSWORD, ELSEWHERE)
    assert len(sent(world, NEW_DEVICE)) == 1


async def test_the_first_sign_in_of_an_account_sends_nothing(world):
    await sign_in(world, client=ELSEWHERE)  # creates the account
    assert sent(world, NEW_DEVICE) == []


async def test_a_provider_sign_in_from_a_new_device_mails_the_alert(world):
    await sign_in(world)
    await sign_in(world, client=ELSEWHERE)
    [alert] = sent(world, NEW_DEVICE)
    assert alert.recipient == "alice@example.com"
