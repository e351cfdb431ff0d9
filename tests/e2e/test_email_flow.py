"""The whole email flows as an outside client lives them: the link arrives at the fake
SendGrid (the server's dispatcher delivers the outbox), its token is posted back."""

import asyncio

import pytest

from tests.e2e.conftest import FRONTEND
from tests.e2e.test_message_delivery import finished, mail_requests_to, quiet
from tests.support.http import PASSWORD, assert_error, fresh_client

SUBJECTS = {
    "fr": {"verify": "Confirmez votre adresse e-mail", "change": "Confirmez votre nouvelle adresse e-mail",
           "requested": "Changement d'adresse e-mail demandé",
           "confirmed": "L'adresse e-mail de votre compte a été changée"},
    "en": {"verify": "Confirm your email address", "change": "Confirm your new email address",
           "requested": "Email address change requested",
           "confirmed": "Your account's email address was changed"},
}


def masked(email: str) -> str:
    return f"{email[0]}***@{email.split('@')[1]}"


@pytest.mark.parametrize("locale", ["fr", "en"])
async def test_register_then_open_the_mailed_link(client, mail, new_email, server, locale):
    email = new_email()
    registered = await client.post("/auth/register", json={"email": email, "password": PASSWORD},
                                   headers={"Accept-Language": locale})
    assert registered.status_code == 201, registered.text

    message = await mail.wait_for(to=email)
    assert message.subject == SUBJECTS[locale]["verify"]
    assert message.links == [f"{FRONTEND}/verify-email?token={message.token}"]
    async with fresh_client(server) as other_device:  # the link may be opened anywhere
        opened = await other_device.post("/auth/verify-email", json={"token": message.token})
        again = await other_device.post("/auth/verify-email", json={"token": message.token})
    assert opened.status_code == 200, opened.text
    assert opened.json()["user"]["emailVerified"] is True
    assert_error(again, 400, "invalid_token")


async def test_asking_again_mails_a_new_link(client, mail, new_email):
    email = new_email()
    await client.post("/auth/register", json={"email": email, "password": PASSWORD})
    first = await mail.wait_for(to=email)
    assert (await client.post("/auth/verify-email/request")).status_code == 202
    second = await mail.wait_for(to=email)
    assert second.token != first.token
    assert (await client.post("/auth/verify-email", json={"token": second.token})).status_code == 200


@pytest.mark.parametrize("locale", ["fr", "en"])
async def test_email_change_by_the_new_address_link(client, mail, new_email, locale):
    old, new = new_email(), new_email()
    await client.post("/auth/register", json={"email": old, "password": PASSWORD},
                      headers={"Accept-Language": locale})
    await mail.wait_for(to=old)  # the verification email

    asked = await client.post("/auth/email/change", json={"email": new, "password": PASSWORD},
                              headers={"Accept-Language": locale})
    assert asked.status_code == 202, asked.text
    link = await mail.wait_for(to=new)
    notice = await mail.wait_for(to=old)
    assert link.subject == SUBJECTS[locale]["change"]
    assert link.links == [f"{FRONTEND}/verify-email?token={link.token}"]
    assert notice.subject == SUBJECTS[locale]["requested"]
    assert masked(new) in notice.text and new not in notice.text
    assert notice.links == [f"{FRONTEND}/secure-account?token={notice.token}"]
    assert_error(await client.post("/auth/verify-email", json={"token": notice.token}), 400, "invalid_token")

    opened = await client.post("/auth/verify-email", json={"token": link.token},
                               headers={"Accept-Language": locale})
    assert opened.status_code == 200, opened.text
    assert (opened.json()["user"]["email"], opened.json()["user"]["emailVerified"]) == (new, True)
    done = await mail.wait_for(to=old)
    assert done.subject == SUBJECTS[locale]["confirmed"] and masked(new) in done.text
    assert done.token != notice.token


async def test_a_sendgrid_outage_never_holds_up_registration_and_loses_no_email(server, mail, new_email, db):
    """SendGrid down: registrations still answer (the email waits in the outbox), and once
    it is back every verification email is delivered exactly once."""
    await quiet(db)
    emails = [new_email() for _ in range(3)]
    mail.fail_next(6, 503)  # the first tries of all three fail

    async def register(email: str):
        async with fresh_client(server) as browser:
            return await browser.post("/auth/register", json={"email": email, "password": PASSWORD})

    answers = await asyncio.gather(*(register(email) for email in emails))
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert not any(mail.received_by(email) for email in emails)  # nobody waited for SendGrid

    for email in emails:
        row = await finished(db, email, timeout=40)
        assert (row["status"], row["secret"]) == ("sent", None)
        assert len(mail.received_by(email)) == 1
        assert 503 in [r.status for r in mail_requests_to(mail, email)]
