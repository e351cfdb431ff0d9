"""What controllers receive: the use cases, built once from the ports and the policies."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from litestar.di import Provide

from application.policy import Policies
from application.ports.identity import IdentityProvider
from application.ports.limits import AttemptCounter
from application.ports.passkeys import PasskeyVerifier
from application.ports.persistence import CurrentUserQuery, RefreshRotation, UnitOfWorkFactory
from application.ports.phones import PhoneNumbers
from application.ports.security import (
    Clock,
    CodeGenerator,
    IdGenerator,
    PasswordHasher,
    SecondFactorSecrets,
    TokenMinter,
)
from application.ports.telemetry import Telemetry
from application.services.device_cookies import DeviceCookies
from application.services.email_links import EmailLinks
from application.services.address_limit import AddressLimiter
from application.services.freshness import Freshness
from application.services.lock_notice import LockNotice
from application.services.login_guard import LoginGuard
from application.services.new_device import NewDeviceAlert
from application.services.password_confirmation import ConfirmPassword
from application.services.second_step import RecoveryCodeIssuer, SecondStep
from application.services.session_tokens import SessionIssuer
from application.use_cases.change_password import ChangePassword
from application.use_cases.complete_provider_sign_in import CompleteProviderSignIn
from application.use_cases.confirm_totp import ConfirmTotp
from application.use_cases.disable_totp import DisableTotp
from application.use_cases.forgot_password import ForgotPassword
from application.use_cases.get_current_user import GetCurrentUser
from application.use_cases.list_linked_accounts import ListLinkedAccounts
from application.use_cases.list_passkeys import ListPasskeys
from application.use_cases.list_security_events import ListSecurityEvents
from application.use_cases.login_with_passkey import LoginWithPasskey
from application.use_cases.login_with_password import LoginWithPassword
from application.use_cases.logout import Logout
from application.use_cases.mfa_status import GetMfaStatus
from application.use_cases.regenerate_recovery_codes import RegenerateRecoveryCodes
from application.use_cases.reauthenticate import Reauthenticate
from application.use_cases.reauthenticate_with_passkey import ReauthenticateWithPasskey
from application.use_cases.refresh_session import RefreshSession
from application.use_cases.register_local_user import RegisterLocalUser
from application.use_cases.register_passkey import RegisterPasskey
from application.use_cases.remove_passkey import RemovePasskey
from application.use_cases.rename_passkey import RenamePasskey
from application.use_cases.request_email_change import RequestEmailChange
from application.use_cases.request_email_verification import RequestEmailVerification
from application.use_cases.request_phone_code import RequestPhoneCode
from application.use_cases.reset_password import ResetPassword
from application.use_cases.secure_account import SecureAccount
from application.use_cases.session_management import SessionManagement
from application.use_cases.set_up_totp import SetUpTotp
from application.use_cases.start_passkey_login import StartPasskeyLogin
from application.use_cases.start_passkey_reauth import StartPasskeyReauth
from application.use_cases.start_passkey_registration import StartPasskeyRegistration
from application.use_cases.start_provider_sign_in import StartProviderSignIn
from application.use_cases.start_second_step_passkey import StartSecondStepPasskey
from application.use_cases.unlink_account import UnlinkAccount
from application.use_cases.unlock_account import UnlockAccount
from application.use_cases.update_profile import UpdateProfile
from application.use_cases.verify_email import VerifyEmail
from application.use_cases.verify_phone import VerifyPhone
from application.use_cases.verify_reset_code import VerifyResetCode
from application.use_cases.verify_second_step import VerifySecondStep
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
    telemetry: Telemetry  # outcomes counted, security events written (docs/operations.md)
    second_factor_secrets: SecondFactorSecrets
    passkey_verifier: PasskeyVerifier  # the relying party's (WEBAUTHN_*) ceremonies
    authenticator_models: Mapping[str, str]  # model names by AAGUID, a new passkey's default name


def use_case_dependencies(
    ports: Ports, policies: Policies, cookies: CookiePolicy, frontend: Frontend
) -> dict[str, Provide]:
    issuer = SessionIssuer(tokens=ports.tokens, ids=ports.ids, policy=policies.sessions)
    current_user = GetCurrentUser(query=ports.current_user_query, tokens=ports.tokens, clock=ports.clock)
    providers = ports.identity_providers
    email_links = EmailLinks(
        tokens=ports.tokens, policy=policies.email_links, default_locale=policies.default_locale,
        whatsapp=policies.whatsapp,
    )
    login_guard = LoginGuard(ports.attempts, policies.login)
    devices = DeviceCookies(ports.tokens)
    second_step = SecondStep(tokens=ports.tokens, policy=policies.second_factor)
    freshness = Freshness(tokens=ports.tokens, policy=policies.freshness)
    singletons = {
        "register_user": RegisterLocalUser(
            new_uow=ports.new_uow, hasher=ports.hasher, clock=ports.clock, ids=ports.ids, issuer=issuer,
            attempts=ports.attempts, email_links=email_links, devices=devices, telemetry=ports.telemetry,
        ),
        "login": LoginWithPassword(
            new_uow=ports.new_uow, hasher=ports.hasher, clock=ports.clock, issuer=issuer, guard=login_guard,
            tokens=ports.tokens, ids=ports.ids,
            lock_notice=LockNotice(new_uow=ports.new_uow, email_links=email_links, clock=ports.clock),
            new_device=NewDeviceAlert(email_links), devices=devices, telemetry=ports.telemetry,
            second_step=second_step,
        ),
        "get_current_user": current_user,
        "refresh_session": RefreshSession(
            new_uow=ports.new_uow, tokens=ports.tokens, clock=ports.clock, issuer=issuer, policy=policies.sessions,
            rotation=ports.refresh_rotation, telemetry=ports.telemetry,
        ),
        "logout": Logout(new_uow=ports.new_uow, tokens=ports.tokens, clock=ports.clock),
        "session_management": SessionManagement(
            current_user=current_user, new_uow=ports.new_uow, tokens=ports.tokens, clock=ports.clock,
        ),
        "list_security_events": ListSecurityEvents(current_user=current_user, new_uow=ports.new_uow),
        "start_provider_sign_in": StartProviderSignIn(
            providers=providers, new_uow=ports.new_uow, tokens=ports.tokens, clock=ports.clock,
            current_user=current_user, policy=policies.provider_flow,
        ),
        "complete_provider_sign_in": CompleteProviderSignIn(
            providers=providers, new_uow=ports.new_uow, tokens=ports.tokens, clock=ports.clock, ids=ports.ids,
            issuer=issuer, new_device=NewDeviceAlert(email_links), devices=devices, telemetry=ports.telemetry,
            second_step=second_step, current_user=current_user,
        ),
        "list_linked_accounts": ListLinkedAccounts(current_user=current_user, new_uow=ports.new_uow),
        "unlink_account": UnlinkAccount(
            current_user=current_user, new_uow=ports.new_uow, clock=ports.clock, freshness=freshness,
        ),
        "update_profile": UpdateProfile(
            current_user=current_user, new_uow=ports.new_uow, phones=ports.phones, clock=ports.clock,
            policy=policies.profile,
        ),
        "request_phone_code": RequestPhoneCode(
            current_user=current_user, new_uow=ports.new_uow, codes=ports.codes, tokens=ports.tokens,
            attempts=ports.attempts, clock=ports.clock, ids=ports.ids, policy=policies.phone_codes,
        ),
        "verify_phone": VerifyPhone(
            current_user=current_user, new_uow=ports.new_uow, tokens=ports.tokens, clock=ports.clock,
            policy=policies.phone_codes,
        ),
        "request_email_verification": RequestEmailVerification(
            current_user=current_user, new_uow=ports.new_uow, clock=ports.clock, attempts=ports.attempts,
            email_links=email_links,
        ),
        "verify_email": VerifyEmail(
            new_uow=ports.new_uow, tokens=ports.tokens, clock=ports.clock, email_links=email_links,
        ),
        "request_email_change": RequestEmailChange(
            current_user=current_user, new_uow=ports.new_uow, hasher=ports.hasher, clock=ports.clock,
            email_links=email_links, guard=login_guard, freshness=freshness,
        ),
        **_recovery(ports, policies, current_user, email_links, login_guard, freshness),
        **_second_factor(ports, policies, current_user, email_links, issuer, login_guard, devices, freshness),
        **_passkeys(ports, policies, current_user, email_links, issuer, devices, freshness),
        "sign_in_providers": {name: idp.display_name for name, idp in providers.items()},
        "cookie_policy": cookies,
        "frontend": frontend,
        "schema_problem": ports.schema_problem,
    }
    return {name: Provide(_constant(value), use_cache=True, sync_to_thread=False)
            for name, value in singletons.items()}


def _recovery(
    ports: Ports, policies: Policies, current_user: GetCurrentUser, email_links: EmailLinks, guard: LoginGuard,
    freshness: Freshness,
) -> dict:
    policy = policies.recovery
    return {
        "forgot_password": ForgotPassword(
            new_uow=ports.new_uow, phones=ports.phones, codes=ports.codes, tokens=ports.tokens,
            attempts=ports.attempts, clock=ports.clock, ids=ports.ids, email_links=email_links, policy=policy,
            code_policy=policies.phone_codes, profile_policy=policies.profile,
        ),
        "verify_reset_code": VerifyResetCode(
            new_uow=ports.new_uow, phones=ports.phones, tokens=ports.tokens, attempts=ports.attempts,
            clock=ports.clock, policy=policy, code_policy=policies.phone_codes,
            profile_policy=policies.profile,
        ),
        "reset_password": ResetPassword(
            new_uow=ports.new_uow, hasher=ports.hasher, tokens=ports.tokens, clock=ports.clock,
            email_links=email_links, guard=guard,
        ),
        "secure_account": SecureAccount(
            new_uow=ports.new_uow, tokens=ports.tokens, clock=ports.clock, telemetry=ports.telemetry,
        ),
        "unlock_account": UnlockAccount(
            new_uow=ports.new_uow, tokens=ports.tokens, clock=ports.clock, guard=guard, telemetry=ports.telemetry,
        ),
        "change_password": ChangePassword(
            current_user=current_user, new_uow=ports.new_uow, hasher=ports.hasher, tokens=ports.tokens,
            clock=ports.clock, confirm=ConfirmPassword(hasher=ports.hasher, guard=guard, clock=ports.clock),
            email_links=email_links, freshness=freshness,
        ),
    }


def _second_factor(
    ports: Ports, policies: Policies, current_user: GetCurrentUser, email_links: EmailLinks,
    issuer: SessionIssuer, guard: LoginGuard, devices: DeviceCookies, freshness: Freshness,
) -> dict:
    """TOTP, recovery codes, the second step of a sign-in, and re-authentication (a passkey
    may answer both)."""
    policy = policies.second_factor
    verifier = ports.passkey_verifier
    recovery_codes = RecoveryCodeIssuer(secrets=ports.second_factor_secrets, tokens=ports.tokens, policy=policy)
    lock_notice = LockNotice(new_uow=ports.new_uow, email_links=email_links, clock=ports.clock)
    return {
        "mfa_status": GetMfaStatus(current_user=current_user, new_uow=ports.new_uow),
        "set_up_totp": SetUpTotp(
            current_user=current_user, new_uow=ports.new_uow, clock=ports.clock,
            secrets=ports.second_factor_secrets, freshness=freshness, policy=policy,
        ),
        "confirm_totp": ConfirmTotp(
            current_user=current_user, new_uow=ports.new_uow, clock=ports.clock, recovery_codes=recovery_codes,
            email_links=email_links,
        ),
        "disable_totp": DisableTotp(
            current_user=current_user, new_uow=ports.new_uow, clock=ports.clock, freshness=freshness,
            email_links=email_links,
        ),
        "regenerate_recovery_codes": RegenerateRecoveryCodes(
            current_user=current_user, new_uow=ports.new_uow, clock=ports.clock, freshness=freshness,
            recovery_codes=recovery_codes, email_links=email_links,
        ),
        "verify_second_step": VerifySecondStep(
            new_uow=ports.new_uow, clock=ports.clock, tokens=ports.tokens, ids=ports.ids, issuer=issuer,
            guard=guard, lock_notice=lock_notice, new_device=NewDeviceAlert(email_links), devices=devices,
            email_links=email_links, verifier=verifier, policy=policy, telemetry=ports.telemetry,
        ),
        "start_second_step_passkey": StartSecondStepPasskey(
            new_uow=ports.new_uow, clock=ports.clock, tokens=ports.tokens, verifier=verifier,
            policy=policies.passkeys, step_policy=policy,
        ),
        "reauthenticate": Reauthenticate(
            current_user=current_user, new_uow=ports.new_uow, hasher=ports.hasher, tokens=ports.tokens,
            clock=ports.clock, guard=guard, lock_notice=lock_notice, policy=policies.freshness,
        ),
        "start_passkey_reauth": StartPasskeyReauth(
            current_user=current_user, new_uow=ports.new_uow, clock=ports.clock, tokens=ports.tokens,
            verifier=verifier, policy=policies.passkeys,
        ),
        "reauthenticate_with_passkey": ReauthenticateWithPasskey(
            current_user=current_user, new_uow=ports.new_uow, verifier=verifier, tokens=ports.tokens,
            clock=ports.clock, guard=guard, lock_notice=lock_notice, policy=policies.freshness,
        ),
    }


def _passkeys(
    ports: Ports, policies: Policies, current_user: GetCurrentUser, email_links: EmailLinks,
    issuer: SessionIssuer, devices: DeviceCookies, freshness: Freshness,
) -> dict:
    """Passkeys: their registration and management, and the sign-in with one."""
    policy = policies.passkeys
    verifier = ports.passkey_verifier
    # The options and the answer of a sign-in each count on their own, per address.
    login_options_limit = AddressLimiter(ports.attempts, "passkey-options-ip", policy.per_address)
    login_limit = AddressLimiter(ports.attempts, "passkey-login-ip", policy.per_address)
    return {
        "start_passkey_registration": StartPasskeyRegistration(
            current_user=current_user, new_uow=ports.new_uow, clock=ports.clock, tokens=ports.tokens,
            freshness=freshness, verifier=verifier, policy=policy,
        ),
        "register_passkey": RegisterPasskey(
            current_user=current_user, new_uow=ports.new_uow, clock=ports.clock, ids=ports.ids,
            tokens=ports.tokens, verifier=verifier, email_links=email_links,
            known_models=ports.authenticator_models,
        ),
        "list_passkeys": ListPasskeys(current_user=current_user, new_uow=ports.new_uow),
        "rename_passkey": RenamePasskey(current_user=current_user, new_uow=ports.new_uow),
        "remove_passkey": RemovePasskey(
            current_user=current_user, new_uow=ports.new_uow, clock=ports.clock, freshness=freshness,
            email_links=email_links,
        ),
        "start_passkey_login": StartPasskeyLogin(
            new_uow=ports.new_uow, clock=ports.clock, tokens=ports.tokens, verifier=verifier,
            limiter=login_options_limit, policy=policy,
        ),
        "login_with_passkey": LoginWithPasskey(
            new_uow=ports.new_uow, clock=ports.clock, tokens=ports.tokens, verifier=verifier,
            limiter=login_limit, issuer=issuer, new_device=NewDeviceAlert(email_links), devices=devices,
            telemetry=ports.telemetry,
        ),
    }


def _constant(value):
    def provide():
        return value

    return provide
