"""The outbox's metrics on PostgreSQL: each try's outcome counted by channel (sent, retried,
failed, abandoned), the delivery loop's up gauge, and the two gauges the exporter measures at
scrape time with one query (what waits, and for how long)."""

import asyncio
from datetime import timedelta

from sqlalchemy import text

from infrastructure.observability.exporter import OutboxGauges, outbox_gauges
from infrastructure.outbox.dispatcher import OutboxDispatcher
from infrastructure.messaging.rendering import Renderer
from infrastructure.outbox.store import OutboxStore
from tests.integration.conftest import CIPHER
from tests.integration.test_outbox import (  # noqa: F401 (clock, new_uow, enqueue: its fixtures)
    clock, enqueue, new_uow, reset_link, verification,
)
from tests.support.senders import ScriptedSender
from tests.unit.infrastructure.test_telemetry_adapter import metrics, registry  # noqa: F401 (fixtures)


def observed_dispatcher(engine, clock, sender, metrics) -> OutboxDispatcher:
    """As infrastructure.messaging.wiring builds it with metrics on."""
    return OutboxDispatcher(OutboxStore(engine, CIPHER, metrics), Renderer("http://localhost:3000"),
                            {"email": sender}, clock, observer=metrics)


def delivered(registry, outcome: str, channel: str = "email") -> float:
    return registry.get_sample_value("sesame_messages_total", {"channel": channel, "outcome": outcome}) or 0


async def test_each_try_is_counted_by_its_outcome(engine, enqueue, clock, metrics, registry):  # noqa: F811
    sender = ScriptedSender()
    dispatcher = observed_dispatcher(engine, clock, sender, metrics)
    await enqueue(verification("ada@example.com"))
    sender.fail_next(1)
    await dispatcher.deliver_due()
    clock.advance(seconds=2)
    await dispatcher.deliver_due()
    await enqueue(verification("bob@example.com"))
    sender.fail_next(1, retryable=False)
    await dispatcher.deliver_due()
    await enqueue(reset_link("eve@example.com"))
    clock.advance(minutes=16)  # past its 15 minutes before any dispatcher ran
    await dispatcher.deliver_due()
    assert [delivered(registry, outcome) for outcome in ("sent", "retried", "failed", "abandoned")] == [1, 1, 1, 1]


async def test_the_up_gauge_follows_the_delivery_loop(engine, clock, metrics, registry):
    dispatcher = observed_dispatcher(engine, clock, ScriptedSender(), metrics)
    assert registry.get_sample_value("sesame_dispatcher_up") == 0
    await dispatcher.start()
    try:
        await asyncio.sleep(0.05)
        assert registry.get_sample_value("sesame_dispatcher_up") == 1
    finally:
        await dispatcher.stop()
    assert registry.get_sample_value("sesame_dispatcher_up") == 0


async def measured(gauges: OutboxGauges) -> dict:
    """A scrape's collect, as the exporter's thread runs it (outside any event loop)."""
    families = await asyncio.to_thread(lambda: list(gauges.collect()))
    return {family.name: family.samples[0].value for family in families}


async def test_the_outbox_gauges_count_what_waits_and_the_age_of_the_oldest(engine, enqueue, database_url):  # noqa: F811
    gauges = outbox_gauges(database_url)
    assert await measured(gauges) == {"sesame_outbox_pending": 0, "sesame_outbox_oldest_pending_seconds": 0}
    await enqueue(verification("ada@example.com"), verification("bob@example.com"), verification("eve@example.com"))
    async with engine.begin() as connection:  # enqueued ten minutes ago; one of them sent since
        await connection.execute(text("UPDATE outbox_messages SET created_at = now() - interval '10 minutes'"))
        await connection.execute(text(
            "UPDATE outbox_messages SET status = 'sent' WHERE recipient = 'ada@example.com'"))
    seen = await measured(gauges)
    assert seen["sesame_outbox_pending"] == 2
    assert timedelta(minutes=10) <= timedelta(seconds=seen["sesame_outbox_oldest_pending_seconds"]) < timedelta(minutes=11)


async def test_a_database_away_leaves_the_gauges_out_of_the_scrape_with_one_warning(caplog):
    gauges = OutboxGauges("postgresql://nobody@127.0.0.1:1/none")
    with caplog.at_level("WARNING", logger="sesame.metrics"):
        assert await measured(gauges) == {}
        assert await measured(gauges) == {}
    assert len([r for r in caplog.records if "outbox gauges not measured" in r.getMessage()]) == 1
