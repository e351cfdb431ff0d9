from dataclasses import dataclass
from datetime import datetime

from application.policy import SessionPolicy
from application.ports.persistence import RefreshRotation, UnitOfWork, UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.ports.telemetry import Telemetry
from application.services.session_tokens import IssuedTokens, SessionIssuer
from domain.clients import ClientInfo
from domain.errors import AccountGone, InvalidRefresh, NoRefreshToken
from domain.sessions import RefreshClaim, RefreshVerdict, judge_refresh


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshSession:
    """Exchange a refresh token for a new sid and its successor token.

    - each refresh token rotates once; the claim is atomic across processes;
    - presented again within the grace window (concurrent tabs), it yields the
      session's current token, so every tab ends up holding a valid one;
    - presented again later, it is treated as stolen: the whole session is revoked and
      `refresh_reuse_detected` recorded with the presenter's ip and user agent;
    - nothing outlives the session's absolute lifetime;
    - the usual case, a token's first use in a live session, is one atomic step (the
      RefreshRotation port); every other case is claimed and judged in a unit of work;
    - each refresh reports its outcome (Telemetry.refresh): `rotated`, `grace` (a replay
      within the window), `reuse_detected` (also a security event, with the owner's id) or
      `invalid` (no token, an unknown one, or one of an ended session);
    - a refresh during its account's deletion waits for it (the claim holds the account's row
      first) and finds nothing: invalid_refresh; one that claimed first is granted, and the
      deletion then erases it. A session that still ends while it is refreshed (AccountGone:
      the new sid or token met its row gone) answers invalid_refresh too, and nothing is kept.
    """

    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock
    issuer: SessionIssuer
    policy: SessionPolicy
    rotation: RefreshRotation
    telemetry: Telemetry

    async def execute(self, refresh_token: str | None, client: ClientInfo = ClientInfo()) -> IssuedTokens:
        if not refresh_token:
            self.telemetry.refresh("invalid")
            raise NoRefreshToken()
        now = self.clock.now()
        successor, sid = self.tokens.successor(refresh_token), self.tokens.new_token()
        rotated = await self.rotation.rotate(
            self.tokens.digests(refresh_token), self.tokens.digest(successor), self.tokens.digest(sid),
            now, self.policy.session_ttl,
        )
        if rotated is not None:
            self.telemetry.refresh("rotated")
            return IssuedTokens(now, sid, rotated.sid_expires_at, successor, rotated.session_expires_at)
        try:
            return await self._judge(refresh_token, client, now)
        except AccountGone:
            self.telemetry.refresh("invalid")
            raise InvalidRefresh() from None

    async def _judge(self, refresh_token: str, client: ClientInfo, now: datetime) -> IssuedTokens:
        """Not rotated in one step: unknown, replayed, reused, or of an ended session."""
        async with self.new_uow() as uow:
            claim = await uow.sessions.claim_refresh_token(self.tokens.digests(refresh_token), now)
            if claim is None:
                self.telemetry.refresh("invalid")
                raise InvalidRefresh()
            verdict = judge_refresh(claim, now, self.policy.reuse_grace)
            if verdict is RefreshVerdict.REUSE:
                owner = await uow.sessions.revoke(claim.session.id, now, "refresh_token_reuse")
                if owner is not None:
                    detail = {"sessionId": str(claim.session.id)}
                    await uow.events.record(owner, "refresh_reuse_detected", detail, now, client)
                await uow.commit()
                self.telemetry.refresh("reuse_detected")
                self.telemetry.security("refresh_reuse_detected", client.ip, owner)
                raise InvalidRefresh()
            if verdict is RefreshVerdict.DEAD:
                self.telemetry.refresh("invalid")
                raise InvalidRefresh()
            successor = await self._successor(uow, claim, refresh_token, verdict, now)
            issued = await self.issuer.grant_sid(uow, claim.session, now, successor)
            await uow.commit()
        self.telemetry.refresh("grace" if verdict is RefreshVerdict.REPLAY else "rotated")
        return issued

    async def _successor(
        self, uow: UnitOfWork, claim: RefreshClaim, token: str, verdict: RefreshVerdict, now: datetime
    ) -> str:
        if verdict is RefreshVerdict.ROTATE:  # the one-step rotation declined, the claim did not
            successor = self.tokens.successor(token)
            digest = self.tokens.digest(successor)
            await uow.sessions.add_refresh_token(claim.session.id, digest, claim.generation + 1, now)
            await uow.sessions.touch(claim.session.id, now)
            return successor
        # Replay: successors are derived, so walk the chain up to the current head.
        for _ in range(claim.head_generation - claim.generation):
            token = self.tokens.successor(token)
        return token
