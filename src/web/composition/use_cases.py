"""What controllers receive: the use cases, built once from the ports and the policies."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from litestar.di import Provide

from application.policy import (
    EmailLinkPolicy,
    LoginLimits,
    PhoneCodePolicy,
    ProfilePolicy,
    ProviderFlowPolicy,
    RecoveryPolicy,
    SessionPolicy,
)
from application.ports.identity import IdentityProvider
from application.ports.limits import AttemptCounter
from application.ports.persistence import CurrentUserQuery, RefreshRotation, UnitOfWorkFactory
from application.ports.phones import PhoneNumbers
from application.ports.security import Clock, CodeGenerator, IdGenerator, PasswordHasher, TokenMinter
from application.use_cases.current_user import GetCurrentUser
from application.use_cases.device_cookies import DeviceCookies
from application.use_cases.email_change import RequestEmailChange
from application.use_cases.email_links import EmailLinks
from application.use_cases.email_verification import RequestEmailVerification, VerifyEmail
from application.use_cases.forgot_password import ForgotPassword
from application.use_cases.linked_accounts import ListLinkedAccounts, UnlinkAccount
from application.use_cases.login import LoginWithPassword
from application.use_cases.login_guard import LoginGuard
from application.use_cases.logout import Logout
from application.use_cases.new_device import NewDeviceAlert
from application.use_cases.security_activity import ListSecurityEvents
from application.use_cases.session_management import SessionManagement
from application.use_cases.password_change import ChangePassword
from application.use_cases.password_confirmation import ConfirmPassword
from application.use_cases.password_reset import ResetPassword, VerifyResetCode
from application.use_cases.phone_verification import RequestPhoneCode, VerifyPhone
from application.use_cases.profile import UpdateProfile
from application.use_cases.provider_callback import CompleteProviderSignIn
from application.use_cases.provider_start import StartProviderSignIn
from application.use_cases.refresh import RefreshSession
from application.use_cases.register import RegisterLocalUser
from application.use_cases.secure_account import SecureAccount
from application.use_cases.session_tokens import SessionIssuer
from application.use_cases.unlock import LockNotice, UnlockAccount
from web.edge.cookies import CookiePolicy
from web.frontend import Frontend


@dataclass(frozen=True, slots=True)
class Ports:
    """The adapters behind every port, as the composition root (or a test) chose them."""

    new_uow: UnitOfWorkFactory
    current_user_query: CurrentUserQuery
    refresh_rotation: RefreshRotation
    hasher: PasswordHasher
    tokens: TokenMinter
    clock: Clock
    ids: IdGenerator
    attempts: AttemptCounter
    identity_providers: Mapping[str, IdentityProvider]
    # None when the database serves this version's schema, else why not; raises when it is down.
    schema_problem: Callable[[], Awaitable[str | None]]
    phones: PhoneNumbers
    codes: CodeGenerator


@dataclass(frozen=True, slots=True)
class Policies:
    """The rules the use cases apply, as the settings made them (web.composition.policies)."""

    sessions: SessionPolicy
    login: LoginLimits
    provider_flow: ProviderFlowPolicy
    email_links: EmailLinkPolicy
    recovery: RecoveryPolicy
    phone_codes: PhoneCodePolicy
    profile: ProfilePolicy

    # DEFAULT_LOCALE and whether WhatsApp is on are held once, by the phone-code policy;
    # the mailed links and notices read them here.
    @property
    def default_locale(self) -> str:
        return self.phone_codes.default_locale

    @property
    def whatsapp(self) -> bool:
        return self.phone_codes.whatsapp


def use_case_dependencies(
    ports: Ports, policies: Policies, cookies: CookiePolicy, frontend: Frontend
) -> dict[str, Provide]:
    issuer = SessionIssuer(ports.tokens, ports.ids, policies.sessions)
    current_user = GetCurrentUser(ports.current_user_query, ports.tokens, ports.clock)
    providers = ports.identity_providers
    links = EmailLinks(ports.tokens, policies.email_links, policies.default_locale, policies.whatsapp)
    login_guard = LoginGuard(ports.attempts, policies.login)
    devices = DeviceCookies(ports.tokens)
    singletons = {
        "register_user": RegisterLocalUser(
            ports.new_uow, ports.hasher, ports.clock, ports.ids, issuer, ports.attempts, links, devices
        ),
        "login": LoginWithPassword(
            ports.new_uow, ports.hasher, ports.clock, issuer, login_guard, ports.tokens, ports.ids,
            LockNotice(ports.new_uow, links, ports.clock), NewDeviceAlert(links), devices,
        ),
        "get_current_user": current_user,
        "refresh_session": RefreshSession(
            ports.new_uow, ports.tokens, ports.clock, issuer, policies.sessions, ports.refresh_rotation
        ),
        "logout": Logout(ports.new_uow, ports.tokens, ports.clock),
        "session_management": SessionManagement(current_user, ports.new_uow, ports.tokens, ports.clock),
        "list_security_events": ListSecurityEvents(current_user, ports.new_uow),
        "start_provider_sign_in": StartProviderSignIn(
            providers, ports.new_uow, ports.tokens, ports.clock, current_user, policies.provider_flow
        ),
        "complete_provider_sign_in": CompleteProviderSignIn(
            providers, ports.new_uow, ports.tokens, ports.clock, ports.ids, issuer, NewDeviceAlert(links),
            devices,
        ),
        "list_linked_accounts": ListLinkedAccounts(current_user, ports.new_uow),
        "unlink_account": UnlinkAccount(current_user, ports.new_uow, ports.clock),
        "update_profile": UpdateProfile(
            current_user, ports.new_uow, ports.phones, ports.clock, policies.profile
        ),
        "request_phone_code": RequestPhoneCode(
            current_user, ports.new_uow, ports.codes, ports.tokens, ports.attempts, ports.clock, ports.ids,
            policies.phone_codes,
        ),
        "verify_phone": VerifyPhone(
            current_user, ports.new_uow, ports.tokens, ports.clock, policies.phone_codes
        ),
        "request_email_verification": RequestEmailVerification(
            current_user, ports.new_uow, ports.clock, ports.attempts, links
        ),
        "verify_email": VerifyEmail(ports.new_uow, ports.tokens, ports.clock, links),
        "request_email_change": RequestEmailChange(
            current_user, ports.new_uow, ports.hasher, ports.clock, links, login_guard
        ),
        **_recovery(ports, policies, current_user, links, login_guard),
        "sign_in_providers": {name: idp.display_name for name, idp in providers.items()},
        "cookie_policy": cookies,
        "frontend": frontend,
        "schema_problem": ports.schema_problem,
    }
    return {name: Provide(_constant(value), use_cache=True, sync_to_thread=False)
            for name, value in singletons.items()}


def _recovery(
    ports: Ports, policies: Policies, current_user: GetCurrentUser, links: EmailLinks, guard: LoginGuard
) -> dict:
    return {
        "forgot_password": ForgotPassword(
            ports.new_uow, ports.phones, ports.codes, ports.tokens, ports.attempts, ports.clock, ports.ids,
            links, policies.recovery, policies.phone_codes, policies.profile,
        ),
        "verify_reset_code": VerifyResetCode(
            ports.new_uow, ports.phones, ports.tokens, ports.attempts, ports.clock, policies.recovery,
            policies.phone_codes, policies.profile,
        ),
        "reset_password": ResetPassword(ports.new_uow, ports.hasher, ports.tokens, ports.clock, links, guard),
        "secure_account": SecureAccount(ports.new_uow, ports.tokens, ports.clock),
        "unlock_account": UnlockAccount(ports.new_uow, ports.tokens, ports.clock, guard),
        "change_password": ChangePassword(
            current_user, ports.new_uow, ports.hasher, ports.tokens, ports.clock,
            ConfirmPassword(ports.hasher, guard, ports.clock), links,
        ),
    }


def _constant(value):
    def provide():
        return value

    return provide
