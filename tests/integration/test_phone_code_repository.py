"""WhatsApp codes: every try counted atomically, on the fakes and on PostgreSQL."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from domain.codes import VERIFY_PHONE, CodeCheck, PhoneCode
from tests.factories import UserFactory

NOW = datetime(2026, 1, 2, tzinfo=UTC)
NUMBER = "+33612345678"
RIGHT, WRONG = b"r" * 32, b"w" * 32


async def user_with_code(store, digest: bytes = RIGHT, number: str = NUMBER):
    user = UserFactory.build(phone_number=number)
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.phone_codes.add(code_for(user.id, digest, number), NOW)
        await uow.commit()
    return user


def code_for(user_id, digest: bytes, number: str = NUMBER) -> PhoneCode:
    return PhoneCode(uuid.uuid4(), user_id, VERIFY_PHONE, number, digest, NOW, NOW + timedelta(minutes=10))


async def check(store, user_id, digest: bytes, now: datetime = NOW, number: str = NUMBER) -> CodeCheck:
    async with store.new_uow() as uow:
        result = await uow.phone_codes.check(user_id, VERIFY_PHONE, number, [digest], now, 5)
        await uow.commit()
    return result


async def test_the_right_code_matches_once(store):
    user = await user_with_code(store)
    assert await check(store, user.id, RIGHT) is CodeCheck.MATCHED
    assert await check(store, user.id, RIGHT) is CodeCheck.NO_CODE


async def test_the_fifth_wrong_try_burns_the_code(store):
    user = await user_with_code(store)
    assert [await check(store, user.id, WRONG) for _ in range(5)] == [CodeCheck.WRONG] * 4 + [CodeCheck.BURNED]
    assert await check(store, user.id, RIGHT) is CodeCheck.BURNED


async def test_ten_concurrent_wrong_tries_count_up_to_the_limit_and_no_further(store):
    user = await user_with_code(store)
    results = await asyncio.gather(*(check(store, user.id, WRONG) for _ in range(10)))
    assert sorted(r.value for r in results) == ["burned"] * 6 + ["wrong"] * 4
    assert await check(store, user.id, RIGHT) is CodeCheck.BURNED


async def test_concurrent_right_and_wrong_tries_never_exceed_the_limit(store):
    user = await user_with_code(store)
    results = await asyncio.gather(*(check(store, user.id, d) for d in [WRONG] * 5 + [RIGHT] * 5))
    # Whatever the order: one right try at most uses the code, at most 4 wrong ones were
    # answered "wrong" (the fifth burns), and nobody got through after that.
    assert results.count(CodeCheck.MATCHED) <= 1 and results.count(CodeCheck.WRONG) <= 4
    if CodeCheck.MATCHED not in results:  # the five wrong tries came first and burned it
        assert results.count(CodeCheck.WRONG) == 4 and CodeCheck.BURNED in results


async def test_an_expired_code_is_gone(store):
    user = await user_with_code(store)
    assert await check(store, user.id, RIGHT, NOW + timedelta(minutes=10)) is CodeCheck.NO_CODE


async def test_a_code_is_good_only_for_its_number(store):
    user = await user_with_code(store)
    assert await check(store, user.id, RIGHT, number="+33700000001") is CodeCheck.NO_CODE


async def test_an_uncommitted_try_is_not_counted(store):
    user = await user_with_code(store)
    for _ in range(4):
        async with store.new_uow() as uow:
            await uow.phone_codes.check(user.id, VERIFY_PHONE, NUMBER, [WRONG], NOW, 5)
    assert await check(store, user.id, RIGHT) is CodeCheck.MATCHED


async def test_a_new_code_voids_the_accounts_earlier_one_only(store):
    first = await user_with_code(store, RIGHT)
    second = await user_with_code(store, RIGHT)
    async with store.new_uow() as uow:
        await uow.phone_codes.add(code_for(first.id, b"n" * 32), NOW)
        await uow.commit()
    assert await check(store, first.id, RIGHT) is CodeCheck.WRONG  # the live code is the new one
    assert await check(store, first.id, b"n" * 32) is CodeCheck.MATCHED
    assert await check(store, second.id, RIGHT) is CodeCheck.MATCHED
