"""The outbox on PostgreSQL: enqueued with the change and its deadline, claimed by one
dispatcher, retried (backoff, Retry-After) until that deadline, then abandoned, its secrets
encrypted and erased, its dispatcher woken by NOTIFY."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from application.ports.messages import PASSWORD_CHANGED, PASSWORD_RESET, PHONE_CODE, VERIFY_EMAIL, Message
from infrastructure.messaging.rendering import Renderer
from infrastructure.outbox.dispatcher import OutboxDispatcher
from infrastructure.outbox.retry_policy import MAX_DELAY, retry_delay
from infrastructure.outbox.store import LEASE, OutboxStore, SqlOutbox
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from tests.fakes import FakeClock
from tests.integration.conftest import CIPHER
from tests.support.senders import ScriptedSender

LISTENER = "sesame-outbox-test"  # the application_name of this test's LISTEN connection
TOKEN = "link-token-that-must-never-be-readable-0123456789"


def verification(to: str = "ada@example.com") -> Message:
    return Message(VERIFY_EMAIL, "email", to, "fr", {}, {"token": TOKEN})


@pytest.fixture
def clock():
    # Far in the future: the e2e server of the same test session runs dispatchers on the same
    # database, and must never find these messages due.
    return FakeClock(datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture
def sender():
    return ScriptedSender()


@pytest.fixture
def new_uow(engine, db_config):
    maker = db_config.create_session_maker()
    return lambda: SqlUnitOfWork(maker, CIPHER, outbox=SqlOutbox)


@pytest.fixture
def enqueue(new_uow, clock):
    async def enqueue(*messages: Message) -> None:
        async with new_uow() as uow:
            for message in messages:
                await uow.outbox.enqueue(message, clock.now())
            await uow.commit()
    return enqueue


def make_dispatcher(engine, clock, sender, **options) -> OutboxDispatcher:
    return OutboxDispatcher(
        OutboxStore(engine, CIPHER), Renderer("http://localhost:3000"),
        {"email": sender, "whatsapp": sender}, clock, **options,
    )


@pytest.fixture
def dispatcher(engine, clock, sender):
    return make_dispatcher(engine, clock, sender)


async def rows(engine) -> list:
    async with engine.connect() as connection:
        return (await connection.execute(text(
            "SELECT id, template, status, attempts, secret, provider_message_id, next_attempt_at, last_error "
            "FROM outbox_messages ORDER BY created_at"
        ))).all()


async def test_a_rolled_back_unit_of_work_enqueues_nothing(engine, new_uow, clock):
    async with new_uow() as uow:
        await uow.outbox.enqueue(verification(), clock.now())  # no commit
    assert await rows(engine) == []


async def test_the_secret_column_holds_no_plaintext_and_decrypts_to_the_secrets(engine, enqueue):
    await enqueue(verification(), Message(PHONE_CODE, "whatsapp", "+33612345678", "en", {}, {"code": "493817"}))
    stored = [row.secret for row in await rows(engine)]
    assert all(TOKEN not in s and "493817" not in s for s in stored)
    async with engine.connect() as connection:
        dump = str((await connection.execute(text("SELECT * FROM outbox_messages"))).all())
    assert TOKEN not in dump and "493817" not in dump
    assert CIPHER.decrypt(stored[0]) == f'{{"token": "{TOKEN}"}}'


async def test_a_due_message_is_sent_with_the_provider_id_and_its_secret_erased(engine, enqueue, dispatcher, sender):
    await enqueue(verification())
    assert await dispatcher.deliver_due() == 1
    [(message, rendered)] = sender.sent
    assert f"http://localhost:3000/verify-email?token={TOKEN}" in rendered.text
    [row] = await rows(engine)
    assert (row.status, row.attempts, row.secret, row.provider_message_id) == ("sent", 1, None, "provider-1")


async def test_each_message_is_claimed_by_exactly_one_of_several_dispatchers(engine, enqueue, clock):
    await enqueue(*(verification(f"user{i}@example.com") for i in range(12)))
    senders = [ScriptedSender(delay=0.05) for _ in range(4)]
    dispatchers = [make_dispatcher(engine, clock, c) for c in senders]
    await asyncio.gather(*(d.deliver_due() for d in dispatchers))
    recipients = [m.recipient for c in senders for m, _ in c.sent]
    assert sorted(recipients) == sorted(f"user{i}@example.com" for i in range(12))  # each once
    assert sum(1 for c in senders if c.sent) > 1  # they shared the work, none waited on a lock
    assert {row.status for row in await rows(engine)} == {"sent"}


async def test_an_outage_is_retried_with_backoff_then_delivered_once(engine, enqueue, dispatcher, sender, clock):
    await enqueue(verification())
    created = clock.now()
    sender.fail_next(2)
    await dispatcher.deliver_due()
    [row] = await rows(engine)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, created + timedelta(seconds=2))
    assert row.secret is not None and "scripted failure" in row.last_error
    assert await dispatcher.deliver_due() == 0  # not due yet
    clock.advance(seconds=2)
    await dispatcher.deliver_due()
    assert (await rows(engine))[0].next_attempt_at == clock.now() + timedelta(seconds=4)
    clock.advance(seconds=4)
    await dispatcher.deliver_due()
    [row] = await rows(engine)
    assert (row.status, row.attempts, row.secret) == ("sent", 3, None)
    assert (sender.tries, len(sender.sent)) == (3, 1)


async def test_once_a_failing_provider_takes_a_message_those_waiting_for_it_go_at_once(
    engine, enqueue, dispatcher, sender, clock
):
    await enqueue(verification("early@example.com"))
    sender.fail_next(1)
    await dispatcher.deliver_due()  # the outage: due again in 2 s
    clock.advance(seconds=1)
    await enqueue(verification("later@example.com"))
    assert await dispatcher.deliver_due() == 2  # the provider is back: the early one goes too
    assert sorted(m.recipient for m, _ in sender.sent) == ["early@example.com", "later@example.com"]
    assert {row.status for row in await rows(engine)} == {"sent"}


async def test_only_a_dispatcher_that_saw_the_outage_hastens_the_waiting_messages(engine, enqueue, dispatcher, sender, clock):
    await enqueue(verification("early@example.com"))
    sender.fail_next(1)
    await dispatcher.deliver_due()
    other = make_dispatcher(engine, clock, sender)  # another process: no failure seen
    clock.advance(seconds=1)
    await enqueue(verification("later@example.com"))
    assert await other.deliver_due() == 1
    assert [m.recipient for m, _ in sender.sent] == ["later@example.com"]


def reset_link(to: str = "ada@example.com") -> Message:
    return Message(PASSWORD_RESET, "email", to, "fr", {}, {"token": TOKEN})


async def deadlines(engine) -> dict[str, datetime]:
    async with engine.connect() as connection:
        return dict((await connection.execute(text(
            "SELECT template, deliver_until FROM outbox_messages"))).all())


async def test_each_message_is_enqueued_with_the_deadline_of_its_template(engine, enqueue, clock):
    await enqueue(verification(), reset_link("bob@example.com"),
                  Message(PHONE_CODE, "whatsapp", "+33612345678", "en", {}, {"code": "493817"}),
                  Message(PASSWORD_CHANGED, "email", "carol@example.com", "en"))
    assert await deadlines(engine) == {
        VERIFY_EMAIL: clock.now() + timedelta(hours=24), PASSWORD_RESET: clock.now() + timedelta(minutes=15),
        PHONE_CODE: clock.now() + timedelta(minutes=10), PASSWORD_CHANGED: clock.now() + timedelta(hours=24),
    }


async def outage(engine, dispatcher, sender, clock, lasting: timedelta) -> None:
    """The provider refuses every try for `lasting`; the dispatcher tries whenever one is due
    (the fake clock jumps from one due time to the next: no real time passes)."""
    sender.fail_next(10_000)
    end = clock.now() + lasting
    while clock.now() < end:
        await dispatcher.deliver_due()
        due = await OutboxStore(engine, CIPHER).next_due()
        if due is None:
            break
        clock.advance(seconds=max((min(due, end) - clock.now()).total_seconds(), 0.001))
    sender.reset()


async def test_an_hour_long_outage_loses_no_verification_email_but_abandons_a_reset_link(
    engine, enqueue, dispatcher, sender, clock, caplog
):
    await enqueue(verification("ada@example.com"), reset_link("bob@example.com"))
    with caplog.at_level(logging.WARNING, logger="infrastructure.outbox.store"):
        await outage(engine, dispatcher, sender, clock, timedelta(hours=1))
    by_template = {row.template: row for row in await rows(engine)}
    reset = by_template[PASSWORD_RESET]
    assert (reset.status, reset.secret) == ("abandoned", None)
    assert by_template[VERIFY_EMAIL].status == "pending"  # still tried, every 5 min at most
    assert by_template[VERIFY_EMAIL].next_attempt_at - clock.now() <= MAX_DELAY
    [line] = [r.getMessage() for r in caplog.records if "abandoned" in r.getMessage()]
    assert str(reset.id) in line and PASSWORD_RESET in line and "bob@example.com" not in line
    clock.advance(seconds=MAX_DELAY.total_seconds())  # SendGrid is back: the next try goes
    assert await dispatcher.deliver_due() == 1
    assert [m.recipient for m, _ in sender.sent] == ["ada@example.com"]
    assert {r.template: r.status for r in await rows(engine)} == {VERIFY_EMAIL: "sent", PASSWORD_RESET: "abandoned"}


async def test_the_reset_link_is_abandoned_by_its_15_minutes_and_never_tried_after(
    engine, enqueue, dispatcher, sender, clock
):
    await enqueue(reset_link())
    start = clock.now()
    await outage(engine, dispatcher, sender, clock, timedelta(minutes=20))
    [row] = await rows(engine)
    assert row.status == "abandoned"
    # Tried until the last try that could still land in time (13.5 min: the next would be at 18.5).
    assert start + timedelta(minutes=13) < clock.now() < start + timedelta(minutes=15)
    tries = sender.tries
    clock.advance(hours=1)
    assert await dispatcher.deliver_due() == 0 and sender.tries == tries


async def test_a_message_past_its_deadline_is_abandoned_unsent(engine, enqueue, dispatcher, sender, clock, caplog):
    await enqueue(verification(), reset_link("bob@example.com"))
    clock.advance(minutes=15)  # the dispatcher was down all this time
    with caplog.at_level(logging.WARNING, logger="infrastructure.outbox.store"):
        await dispatcher.deliver_due()
    [line] = [r.getMessage() for r in caplog.records if "abandoned" in r.getMessage()]
    assert PASSWORD_RESET in line and "bob@example.com" not in line
    assert {row.template: row.status for row in await rows(engine)} == {VERIFY_EMAIL: "sent", PASSWORD_RESET: "abandoned"}
    assert [m.template for m, _ in sender.sent] == [VERIFY_EMAIL]
    clock.advance(hours=24)
    await enqueue(verification("late@example.com"))
    clock.advance(hours=24)
    await dispatcher.deliver_due()
    assert sender.tries == 1 and [r.secret for r in await rows(engine)] == [None, None, None]


async def test_a_row_from_before_the_deadline_column_gets_the_deadline_of_its_template(
    engine, enqueue, dispatcher, sender, clock
):
    await enqueue(reset_link())
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE outbox_messages SET deliver_until = NULL"))
    clock.advance(minutes=15)
    await dispatcher.deliver_due()
    [row] = await rows(engine)
    assert (row.status, sender.tries) == ("abandoned", 0)


async def test_a_retry_after_delays_the_next_try_and_is_kept_when_the_provider_comes_back(
    engine, enqueue, dispatcher, sender, clock
):
    await enqueue(verification("early@example.com"))
    sender.fail_next(1, retry_after="30")
    await dispatcher.deliver_due()
    [row] = await rows(engine)
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)  # not the 2 s backoff
    clock.advance(seconds=1)
    await enqueue(verification("later@example.com"))
    assert await dispatcher.deliver_due() == 1  # a success: the waiting one is hastened, to its Retry-After
    due = [r.next_attempt_at for r in await rows(engine) if r.status == "pending"]
    assert due == [clock.now() + timedelta(seconds=29)]
    clock.advance(seconds=29)
    assert await dispatcher.deliver_due() == 1


async def test_a_retry_after_past_the_deadline_abandons_the_message(engine, enqueue, dispatcher, sender):
    await enqueue(reset_link())
    sender.fail_next(1, retry_after="900")  # 15 min: the link is dead by then
    await dispatcher.deliver_due()
    [row] = await rows(engine)
    assert (row.status, row.secret) == ("abandoned", None)


class StoreThatLosesTheDatabase(OutboxStore):
    """The database drops out just after a claim: the next `outages` records are refused."""

    def __init__(self, engine, outages: int) -> None:
        super().__init__(engine, CIPHER)
        self.outages = outages

    async def record(self, *args, **kwargs):
        if self.outages:
            self.outages -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        return await super().record(*args, **kwargs)


async def test_a_sent_message_is_recorded_once_the_database_answers_again_not_sent_twice(
    engine, enqueue, clock, sender
):
    await enqueue(verification())
    store = StoreThatLosesTheDatabase(engine, outages=2)
    dispatcher = OutboxDispatcher(store, Renderer("http://localhost:3000"), {"email": sender}, clock)
    assert await dispatcher.deliver_due() == 1
    [row] = await rows(engine)
    assert (row.status, row.provider_message_id, store.outages) == ("sent", "provider-1", 0)
    assert await dispatcher.deliver_due() == 0 and sender.tries == 1


async def test_an_outcome_is_given_up_only_after_the_patience_left_within_the_lease(engine, enqueue, clock, sender):
    await enqueue(verification())
    store = StoreThatLosesTheDatabase(engine, outages=100)
    dispatcher = OutboxDispatcher(store, Renderer("http://localhost:3000"), {"email": sender}, clock,
                                  record_patience=0)
    with pytest.raises(ConnectionRefusedError):  # _run logs it as "paused" and carries on
        await dispatcher.deliver_due()
    [row] = await rows(engine)
    assert row.status == "sending" and row.next_attempt_at == clock.now() + LEASE


async def test_a_refusal_fails_the_message_at_once(engine, enqueue, dispatcher, sender):
    await enqueue(verification())
    sender.fail_next(1, retryable=False)
    await dispatcher.deliver_due()
    [row] = await rows(engine)
    assert (row.status, row.attempts, row.secret) == ("failed", 1, None)
    assert await dispatcher.deliver_due() == 0


async def test_a_message_that_cannot_be_rendered_fails_and_loses_its_secret(engine, enqueue, dispatcher, sender):
    await enqueue(Message(VERIFY_EMAIL, "whatsapp", "+33612345678", "fr", {}, {"token": TOKEN}))
    await dispatcher.deliver_due()
    [row] = await rows(engine)
    assert (row.status, row.secret, sender.tries) == ("failed", None, 0)


async def test_a_claim_whose_dispatcher_died_is_delivered_after_its_lease(engine, enqueue, dispatcher, sender, clock):
    await enqueue(verification())
    [claimed] = await OutboxStore(engine, CIPHER).claim(clock.now(), 10)  # ... and the process dies
    assert await dispatcher.deliver_due() == 0  # the lease protects it meanwhile
    clock.advance(seconds=LEASE.total_seconds())
    await dispatcher.deliver_due()
    [row] = await rows(engine)
    assert (row.status, row.attempts, len(sender.sent)) == ("sent", 2, 1)


async def test_a_late_answer_from_a_dead_claim_does_not_undo_the_new_one(engine, enqueue, clock):
    store = OutboxStore(engine, CIPHER)
    await enqueue(verification())
    [old] = await store.claim(clock.now(), 10)
    clock.advance(seconds=LEASE.total_seconds())
    [new] = await store.claim(clock.now(), 10)
    assert await store.record(old, "retry", clock.now(), error="late") == "pending"  # ignored (fenced)
    [row] = await rows(engine)
    assert (row.status, row.attempts) == ("sending", new.attempt)


@pytest.fixture
async def running(engine, db_config, clock, sender):
    url = engine.url.set(drivername="postgresql").update_query_dict({"application_name": LISTENER})
    dsn = url.render_as_string(hide_password=False)
    # The fallback poll is an hour: only NOTIFY can make these tests pass.
    dispatcher = make_dispatcher(engine, clock, sender, listen_dsn=dsn, poll_every=3600, reconnect_after=0.1)
    await dispatcher.start()
    await asyncio.wait_for(dispatcher.listening.wait(), 10)
    yield dispatcher
    await dispatcher.stop()


async def test_notify_wakes_the_dispatcher_at_once(running, enqueue, sender):
    await asyncio.sleep(0.1)  # let the first pass find nothing and go to sleep
    await enqueue(verification())
    await sender.wait_sent(1)


async def test_the_listener_reconnects_when_its_connection_drops(running, engine, enqueue, sender):
    async with engine.begin() as connection:
        killed = await connection.scalar(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :name"
        ), {"name": LISTENER})
    assert killed >= 1
    await asyncio.sleep(0.3)
    await asyncio.wait_for(running.listening.wait(), 10)
    await enqueue(verification())
    await sender.wait_sent(1)


async def test_stop_ends_the_dispatcher_cleanly(engine, clock, sender):
    dispatcher = make_dispatcher(engine, clock, sender, poll_every=3600)
    await dispatcher.start()
    await asyncio.wait_for(dispatcher.stop(), 5)
    assert all(task.done() for task in dispatcher._tasks)


async def test_the_purge_deletes_finished_messages_after_the_retention_and_keeps_waiting_ones(
    engine, enqueue, dispatcher, sender, clock
):
    from infrastructure.persistence.housekeeping import Retention, purge_expired

    await enqueue(verification("sent@example.com"))
    await dispatcher.deliver_due()
    await enqueue(verification("waiting@example.com"))
    await purge_expired(engine, clock.now() + timedelta(days=30) - timedelta(seconds=1))
    assert len(await rows(engine)) == 2
    await purge_expired(engine, clock.now() + timedelta(days=30))
    assert [row.status for row in await rows(engine)] == ["pending"]
    await enqueue(verification("sent-too@example.com"))
    await dispatcher.deliver_due()
    await purge_expired(engine, clock.now() + timedelta(days=7), retention=Retention(days=7))
    assert [row.status for row in await rows(engine)] == []
