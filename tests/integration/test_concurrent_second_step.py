"""Answers to the second step at once, on the fakes and on PostgreSQL (each in its own
transaction and connection): a challenge's answers take turns, so it burns after exactly its
allowance of wrong ones, a right one signs in once, and a code, recovery code or passkey's
answer works once."""

import asyncio
from collections import Counter
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from application.policy import LoginLimits, PasskeyPolicy, SecondFactorPolicy, SessionPolicy
from application.services.device_cookies import DeviceCookies
from application.services.email_links import EmailLinks
from application.services.lock_notice import LockNotice
from application.services.login_guard import LoginGuard, account_key
from application.services.new_device import NewDeviceAlert
from application.services.second_step import SecondStep
from application.services.session_tokens import SessionIssuer
from application.use_cases.start_second_step_passkey import StartSecondStepPasskey
from application.use_cases.verify_second_step import VerifySecondStep
from domain.clients import ClientInfo
from domain.passkeys import Passkey
from domain.recovery_codes import normalize_recovery_code
from domain.totp import hotp, time_step, totp
from tests.factories import UserFactory
from tests.fakes import (
    FakeClock, FakeIds, FakePasskeyVerifier, FakeTokens, InMemoryAttemptCounter, RecordingTelemetry,
)

CLIENT = ClientInfo(ip="203.0.113.7", user_agent="pytest")
NOW = datetime(2026, 1, 1, 12, 0, 10, tzinfo=UTC)
SECRET = bytes(range(20))
RECOVERY = "k3v9q-7hx2m"


class Setting:
    def __init__(self, store) -> None:
        self.store, self.clock, self.tokens = store, FakeClock(NOW), FakeTokens()
        email_links = EmailLinks(tokens=self.tokens)
        self.policy = SecondFactorPolicy()
        self.verifier = FakePasskeyVerifier()
        self.passkey_options = StartSecondStepPasskey(
            new_uow=store.new_uow, clock=self.clock, tokens=self.tokens, verifier=self.verifier,
            policy=PasskeyPolicy(), step_policy=self.policy,
        )
        self.verify = VerifySecondStep(
            new_uow=store.new_uow, clock=self.clock, tokens=self.tokens, ids=FakeIds(),
            issuer=SessionIssuer(tokens=self.tokens, ids=FakeIds(), policy=SessionPolicy()),
            guard=LoginGuard(InMemoryAttemptCounter(), LoginLimits(failures=100)),
            lock_notice=LockNotice(new_uow=store.new_uow, email_links=email_links, clock=self.clock),
            new_device=NewDeviceAlert(email_links), devices=DeviceCookies(self.tokens), email_links=email_links,
            verifier=self.verifier, policy=self.policy, telemetry=RecordingTelemetry(),
        )

    async def account(self):
        user = UserFactory.build()
        async with self.store.new_uow() as uow:
            await uow.users.add(user)
            await uow.totp.set_pending(user.id, SECRET, NOW)
            await uow.totp.enable(user.id, time_step(NOW) - 2, NOW)
            await uow.recovery_codes.replace(user.id, [self.tokens.digest(normalize_recovery_code(RECOVERY))], NOW)
            await uow.passkeys.add(Passkey(
                uuid4(), user.id, b"cred-" + user.id.bytes, b"pk:cred-" + user.id.bytes, 0, (), True, True,
                "0" * 36, "Passkey", NOW,
            ))
            await uow.commit()
        return user

    async def challenge(self, user) -> str:
        async with self.store.new_uow() as uow:
            opened = await SecondStep(tokens=self.tokens, policy=self.policy).challenge(
                uow, user.id, "password", account_key(user, ""), NOW)
            await uow.commit()
        return opened.token

    async def outcome(self, token: str, **answer) -> str:
        try:
            await self.verify.execute(token, CLIENT, **answer)
        except Exception as refused:  # noqa: BLE001 - the kind of refusal is the outcome
            return type(refused).__name__
        return "signed_in"


async def test_wrong_answers_at_once_burn_the_challenge_exactly_once(store):
    setting = Setting(store)
    user = await setting.account()
    token = await setting.challenge(user)
    wrong = hotp(SECRET, time_step(NOW) + 5)
    outcomes = await asyncio.gather(*(setting.outcome(token, code=wrong) for _ in range(7)))
    assert Counter(outcomes) == {"InvalidCode": 4, "TooManyAttempts": 1, "MfaChallengeExpired": 2}
    async with store.new_uow() as uow:
        kinds = [event.kind for event in await uow.events.for_user(user.id, 50)]
    assert kinds.count("mfa_failed") == 1


async def test_one_right_code_twice_at_once_on_one_challenge_signs_in_once(store):
    setting = Setting(store)
    user = await setting.account()
    token = await setting.challenge(user)
    code = totp(SECRET, NOW)
    outcomes = await asyncio.gather(setting.outcome(token, code=code), setting.outcome(token, code=code))
    assert sorted(outcomes) == ["MfaChallengeExpired", "signed_in"]


@pytest.mark.parametrize("answers", [
    ({"code": totp(SECRET, NOW)}, {"code": totp(SECRET, NOW)}),
    ({"recovery_code": RECOVERY}, {"recovery_code": RECOVERY.upper()}),
], ids=["code", "recovery_code"])
async def test_one_answer_on_two_challenges_at_once_signs_in_once(store, answers):
    setting = Setting(store)
    user = await setting.account()
    first, second = await setting.challenge(user), await setting.challenge(user)
    outcomes = await asyncio.gather(setting.outcome(first, **answers[0]), setting.outcome(second, **answers[1]))
    assert sorted(outcomes) == ["InvalidCode", "signed_in"]
    async with store.new_uow() as uow:
        assert await uow.recovery_codes.left(user.id) == (0 if "recovery_code" in answers[0] else 1)


async def test_one_passkey_answer_twice_at_once_on_one_challenge_signs_in_once(store):
    setting = Setting(store)
    user = await setting.account()
    token = await setting.challenge(user)
    options = await setting.passkey_options.execute(token)
    credential = {"id": (b"cred-" + user.id.bytes).hex(), "challenge": options["challenge"], "signCount": 1}
    outcomes = await asyncio.gather(
        setting.outcome(token, credential=credential), setting.outcome(token, credential=credential))
    assert sorted(outcomes) == ["MfaChallengeExpired", "signed_in"]
    async with store.new_uow() as uow:
        [passkey] = await uow.passkeys.for_user(user.id)
    assert passkey.sign_count == 1
