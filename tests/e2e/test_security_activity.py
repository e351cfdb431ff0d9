"""The account's security activity as a user lives it, over real HTTP: each step of a long
journey (mail links opened on another device, a WhatsApp code, a Google link) shows up in
/auth/events as a contract kind, with the ip and user agent of the client that did it,
newest first."""

import ipaddress

import httpx

from domain.activity import EVENT_KINDS
from tests.e2e.test_google_sign_in import person, sign_in_with_google
from tests.e2e.test_phone_code_flow import a_number
from tests.support.http import PASSWORD, fresh_client, login, register

NEW_PASSWORD = "a-brand-new-passphrase-9"


def origin(http: httpx.AsyncClient) -> tuple[str, str]:
    """The (ip, userAgent) the server must record for this client: its X-Forwarded-For, as the
    server spells an address."""
    return str(ipaddress.ip_address(http.headers["X-Forwarded-For"])), http.headers["User-Agent"]


async def link_in_mail(mail, to: str, path: str) -> str:
    """The token of the next email to `to` whose link goes to `path` (notices are skipped)."""
    while True:
        message = await mail.wait_for(to=to)
        if any(f"{path}?token=" in link for link in message.links):
            return message.token


async def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


async def test_every_step_is_recorded_with_who_did_it_newest_first(server, client, mail, whatsapp, idp, new_email):
    client.headers["User-Agent"] = "Laptop Firefox"
    laptop = origin(client)
    email, new_address, number = new_email(), new_email(), a_number()
    done: list[tuple[str, tuple[str, str]]] = []  # (kind, origin) in the order they happen

    async with fresh_client(server) as mailbox, fresh_client(server) as phone:
        mailbox.headers["User-Agent"] = "Webmail on a tablet"  # where the mailed links are opened
        phone.headers["User-Agent"] = "Phone Safari"

        await ok(await register(client, email), 201)
        done.append(("signed_in", laptop))

        token = await link_in_mail(mail, email, "/verify-email")
        await ok(await mailbox.post("/auth/verify-email", json={"token": token}))
        done.append(("email_verified", origin(mailbox)))

        await ok(await client.post("/auth/password/change",
                                   json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}))
        done.append(("password_changed", laptop))

        await ok(await client.post("/auth/email/change", json={"email": new_address, "password": NEW_PASSWORD}), 202)
        done.append(("email_change_requested", laptop))
        token = await link_in_mail(mail, new_address, "/verify-email")
        await ok(await mailbox.post("/auth/verify-email", json={"token": token}))
        done.append(("email_changed", origin(mailbox)))

        await ok(await client.patch("/auth/profile", json={"phoneNumber": number}))
        await ok(await client.post("/auth/phone/verify/request"), 202)
        code = (await whatsapp.wait_for(to=number)).code
        await ok(await client.post("/auth/phone/verify", json={"code": code}))
        done.append(("phone_verified", laptop))

        sub, claims = person(email=f"g-{new_address}")
        assert (await sign_in_with_google(client, idp, sub, claims, link="true")).status_code == 302
        done.append(("provider_linked", laptop))
        await ok(await client.delete("/auth/accounts/google"))
        done.append(("provider_unlinked", laptop))

        await ok(await login(phone, new_address, NEW_PASSWORD))  # a browser never seen
        done += [("signed_in_new_device", origin(phone)), ("signed_in", origin(phone))]
        await ok(await client.post("/auth/sessions/revoke-others"))
        done.append(("session_revoked", laptop))

        await ok(await mailbox.post("/auth/forgot-password", json={"email": new_address}), 202)
        token = await link_in_mail(mail, new_address, "/reset-password")
        await ok(await mailbox.post("/auth/reset-password", json={"token": token, "password": PASSWORD}))
        done.append(("password_reset", origin(mailbox)))

        await ok(await login(client, new_address, PASSWORD))
        done.append(("signed_in", laptop))
        events = (await ok(await client.get("/auth/events")))["events"]

    assert {e["kind"] for e in events} <= EVENT_KINDS
    assert [(e["kind"], (e["ip"], e["userAgent"])) for e in events] == done[::-1]
    assert [e["createdAt"] for e in events] == sorted((e["createdAt"] for e in events), reverse=True)
    assert all(PASSWORD not in str(e["detail"]) and NEW_PASSWORD not in str(e["detail"]) for e in events)
