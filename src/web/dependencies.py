"""What controllers receive: the use cases, built once from ports in the composition root."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from litestar.di import Provide

from application.policy import LoginLimits, SessionPolicy
from application.ports.limits import AttemptCounter
from application.ports.persistence import CurrentUserQuery, UnitOfWorkFactory
from application.ports.security import Clock, IdGenerator, PasswordHasher, TokenMinter
from application.use_cases.current_user import GetCurrentUser
from application.use_cases.login import LoginWithPassword
from application.use_cases.login_guard import LoginGuard
from application.use_cases.logout import Logout
from application.use_cases.refresh import RefreshSession
from application.use_cases.register import RegisterLocalUser
from application.use_cases.session_tokens import SessionIssuer
from web.cookies import CookiePolicy


@dataclass(frozen=True, slots=True)
class Ports:
    """The adapters behind every port, as the composition root (or a test) chose them."""

    new_uow: UnitOfWorkFactory
    current_user_query: CurrentUserQuery
    hasher: PasswordHasher
    tokens: TokenMinter
    clock: Clock
    ids: IdGenerator
    policy: SessionPolicy
    attempts: AttemptCounter
    ping_database: Callable[[], Awaitable[None]]


def use_case_dependencies(ports: Ports, cookies: CookiePolicy) -> dict[str, Provide]:
    issuer = SessionIssuer(ports.tokens, ports.ids, ports.policy)
    singletons = {
        "register_user": RegisterLocalUser(ports.new_uow, ports.hasher, ports.clock, ports.ids, issuer),
        "login": LoginWithPassword(
            ports.new_uow, ports.hasher, ports.clock, issuer, LoginGuard(ports.attempts, LoginLimits())
        ),
        "get_current_user": GetCurrentUser(ports.current_user_query, ports.tokens, ports.clock),
        "refresh_session": RefreshSession(ports.new_uow, ports.tokens, ports.clock, issuer, ports.policy),
        "logout": Logout(ports.new_uow, ports.tokens, ports.clock),
        "cookie_policy": cookies,
        "ping_database": ports.ping_database,
    }
    return {name: Provide(_constant(value), use_cache=True, sync_to_thread=False)
            for name, value in singletons.items()}


def _constant(value):
    def provide():
        return value

    return provide
