from dataclasses import dataclass, field
from datetime import datetime

from application.policy import SecondFactorPolicy
from application.ports.passkeys import Json, PasskeyVerifier
from application.ports.persistence import UnitOfWork, UnitOfWorkFactory
from application.ports.security import Clock, IdGenerator, TokenMinter
from application.ports.telemetry import Telemetry
from application.services.device_cookies import DeviceCookies
from application.services.email_links import EmailLinks
from application.services.lock_notice import LockNotice
from application.services.login_guard import LoginGuard
from application.services.new_device import NewDeviceAlert
from application.services.passkeys import PASSKEY_REFUSED, use_passkey
from application.services.provider_links import attach_pending_link, pending_link_attaches
from application.services.session_tokens import SessionIssuer, SignedIn
from domain.clients import ClientInfo
from domain.devices import browser_of
from domain.errors import (
    AccountGone, InvalidCode, InvalidInput, InvalidPasskey, MfaChallengeExpired, TooManyAttempts,
)
from domain.flows import PendingLink
from domain.passkeys import ChallengePurpose
from domain.recovery_codes import normalize_recovery_code
from domain.second_factor import MfaChallenge, StepVerdict, judge_second_step
from domain.totp import match_totp, normalize_totp_code
from domain.users import User


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer to a challenge, normalised: a TOTP code, a recovery code, or a passkey's
    assertion (as it came: the verifier reads it)."""

    code: str | None = None
    recovery_code: str | None = None
    credential: Json | None = field(default=None, repr=False)


def read_answer(code: str | None, recovery_code: str | None, credential: Json | None) -> Answer:
    """Exactly one of the three, a code in a form it can take (400 otherwise: nothing is counted)."""
    if sum(given is not None for given in (code, recovery_code, credential)) != 1:
        raise InvalidInput("code", "give one of code, recoveryCode or credential")
    if credential is not None:
        return Answer(credential=credential)
    if code is not None:
        typed = normalize_totp_code(code)
        if typed is None:
            raise InvalidInput("code", "is the 6 digits the app shows")
        return Answer(code=typed)
    typed = normalize_recovery_code(recovery_code or "")
    if typed is None:
        raise InvalidInput("recoveryCode", "is one of the recovery codes, like abcde-12345")
    return Answer(recovery_code=typed)


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifySecondStep:
    """Answer the second step of a sign-in (POST /auth/mfa/verify) and get its session.

    - exactly one of a TOTP code (6 digits), a recovery code (any case, with or without its
      dash) or a passkey's assertion; a malformed code is a bad input (400) and counts nothing
      (an assertion that cannot be read is a wrong answer, as at the passkey sign-in);
    - no challenge cookie, or one that is unknown, used, expired or burned: 401
      mfa_challenge_expired (sign in again);
    - answers to one challenge take turns (its row is locked): each is judged on what the one
      before left (domain.second_factor.judge_second_step);
    - every answer is counted before it is checked, under the attempt counter its first
      factor was counted under (LoginGuard): wrong answers lead to the account's lock like
      wrong passwords (423; the answer that sets it tells the LockNotice), and a right one
      clears that count;
    - a TOTP code is right within one step of now and after the last step accepted for the
      account (a replayed code, or an older one, is wrong); of two uses of one code, one wins;
    - a recovery code is right when it is one of the account's unused codes; it is used up,
      `recovery_code_used` recorded with how many remain, and the owner told;
    - an assertion is right when it answers the passkey challenge of this second-step
      challenge (StartSecondStepPasskey; used up by this answer whatever its verdict) with
      one of the account's passkeys (application.services.passkeys.use_passkey): another
      account's passkey, an unreadable answer, a bad signature, a replay or a counter that
      went back are wrong, the last written in the account's activity;
    - wrong: 400 invalid_code (a passkey's answer too: it is an answer like the others); the
      answer that takes the last of
      `SecondFactorPolicy.max_wrong_answers` burns the challenge (429 too_many_attempts),
      records `mfa_failed`, reports it as a security event (Telemetry) and tells the owner,
      with a "not you?" link;
    - right: the challenge is used up, and the sign-in completes as its first factor's would
      have: the new-device alert, a session (`signed_in` with its method and `"mfa": true`),
      a device cookie unless the browser holds a valid one, and the pending link the first
      factor left (attached when it is this account's, its address proven); the sign-in is
      reported as its first factor's `success` (Telemetry.login), which reported `mfa_required`;
    - an account deleted while it was answered (AccountGone: its challenge went with it)
      answers as a challenge that is gone, 401 mfa_challenge_expired, and nothing is kept.
    """

    new_uow: UnitOfWorkFactory
    clock: Clock
    tokens: TokenMinter
    ids: IdGenerator
    issuer: SessionIssuer
    guard: LoginGuard
    lock_notice: LockNotice
    new_device: NewDeviceAlert
    devices: DeviceCookies
    email_links: EmailLinks
    verifier: PasskeyVerifier
    policy: SecondFactorPolicy
    telemetry: Telemetry

    async def execute(
        self, challenge_token: str | None, client: ClientInfo, *, code: str | None = None,
        recovery_code: str | None = None, credential: Json | None = None, device_cookie: str | None = None,
    ) -> SignedIn:
        answer = read_answer(code, recovery_code, credential)
        if not challenge_token:
            raise MfaChallengeExpired()
        now = self.clock.now()
        try:
            return await self._answer(challenge_token, answer, client, device_cookie, now)
        except AccountGone:
            raise MfaChallengeExpired() from None

    async def _answer(
        self, challenge_token: str, answer: Answer, client: ClientInfo, device_cookie: str | None, now: datetime
    ) -> SignedIn:
        async with self.new_uow() as uow:
            challenge = await uow.mfa_challenges.claim(self.tokens.digests(challenge_token), now)
            user = await uow.users.by_id(challenge.user_id) if challenge is not None else None
            if challenge is None or user is None or not challenge.is_open(now, self.policy.max_wrong_answers):
                raise MfaChallengeExpired()
            attempt = await self.guard.admit_key(challenge.lock_key, now)
            right = await self._check(uow, challenge, answer, client, now)
            verdict = judge_second_step(challenge, right, now, self.policy.max_wrong_answers)
            if verdict is StepVerdict.PASSED:
                signed_in, pending = await self._pass(uow, user, challenge, answer, client, device_cookie, now)
            else:
                await self._fail(uow, user, challenge, verdict, client, now)
            await uow.commit()
        if verdict is not StepVerdict.PASSED:
            if attempt.locks:
                await self.lock_notice.send(user, client)
            if verdict is StepVerdict.BURNED:
                self.telemetry.security("mfa_failed", client.ip, user.id)
                raise TooManyAttempts("Too many wrong answers; sign in again.")
            raise InvalidCode(PASSKEY_REFUSED) if answer.credential is not None else InvalidCode()
        self.telemetry.login(challenge.method, "success")
        await self.guard.succeeded(challenge.lock_key)
        if pending_link_attaches(pending, user):
            linked = await attach_pending_link(self.new_uow, self.ids, self.clock, user, pending, client)
            return SignedIn(user, signed_in.tokens, linked, signed_in.device_cookie)
        return signed_in

    async def _check(
        self, uow: UnitOfWork, challenge: MfaChallenge, answer: Answer, client: ClientInfo, now: datetime
    ) -> bool:
        user_id = challenge.user_id
        if answer.credential is not None:
            return await self._check_passkey(uow, challenge, answer.credential, client, now)
        if answer.recovery_code is not None:
            return await uow.recovery_codes.use(user_id, self.tokens.digests(answer.recovery_code), now)
        totp = await uow.totp.get(user_id)
        if totp is None or not totp.enabled or answer.code is None:
            return False
        step = match_totp(totp.secret, answer.code, now, totp.last_step)
        return step is not None and await uow.totp.accept_step(user_id, step)

    async def _check_passkey(
        self, uow: UnitOfWork, challenge: MfaChallenge, credential: Json, client: ClientInfo, now: datetime
    ) -> bool:
        asked = await uow.webauthn_challenges.take([challenge.digest], ChallengePurpose.MFA, now)
        if asked is None or asked.user_id != challenge.user_id:
            return False
        try:
            await use_passkey(
                uow, self.verifier, credential, asked.challenge, client, now, owner=challenge.user_id
            )
        except InvalidPasskey:
            return False
        return True

    async def _pass(
        self, uow: UnitOfWork, user: User, challenge: MfaChallenge, answer: Answer, client: ClientInfo,
        device_cookie: str | None, now: datetime,
    ) -> tuple[SignedIn, PendingLink | None]:
        await uow.mfa_challenges.finish(challenge.digest, now)
        if answer.recovery_code is not None:
            remaining = await uow.recovery_codes.left(user.id)
            await uow.events.record(user.id, "recovery_code_used", {"remaining": remaining}, now, client)
            await self.email_links.send_recovery_code_used(uow, user, remaining, client, now)
        await self.new_device.check(uow, user, client, now)
        tokens = await self.issuer.open(uow, user.id, now, client, challenge.method, mfa=True)
        pending = None
        if challenge.pending_link_digest is not None:
            pending = await uow.pending_links.take([challenge.pending_link_digest], now)
        return SignedIn(user, tokens, None, self.devices.for_sign_in(device_cookie, user.id)), pending

    async def _fail(
        self, uow: UnitOfWork, user: User, challenge: MfaChallenge, verdict: StepVerdict,
        client: ClientInfo, now: datetime,
    ) -> None:
        await uow.mfa_challenges.record_wrong(challenge.digest)
        if verdict is StepVerdict.BURNED:
            await uow.events.record(user.id, "mfa_failed", {"method": challenge.method}, now, client)
            browser = browser_of(client.user_agent)
            await self.email_links.send_second_step_failed(uow, user, challenge.method, browser, client, now)
