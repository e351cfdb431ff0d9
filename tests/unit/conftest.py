from dataclasses import dataclass, field

import pytest

from application.policy import (
    AddressLimit,
    FreshnessPolicy,
    SecondFactorPolicy,
    LoginLimits,
    PasskeyPolicy,
    PhoneCodePolicy,
    ProfilePolicy,
    ProviderFlowPolicy,
    RecoveryPolicy,
    SessionPolicy,
)
from application.services.address_limit import AddressLimiter
from application.services.device_cookies import DeviceCookies
from application.services.email_links import EmailLinks
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
from application.use_cases.list_security_events import ListSecurityEvents
from application.use_cases.login_with_password import LoginWithPassword
from application.use_cases.logout import Logout
from application.use_cases.mfa_status import GetMfaStatus
from application.use_cases.regenerate_recovery_codes import RegenerateRecoveryCodes
from application.use_cases.reauthenticate import Reauthenticate
from application.use_cases.refresh_session import RefreshSession
from application.use_cases.register_local_user import RegisterLocalUser
from application.use_cases.request_email_change import RequestEmailChange
from application.use_cases.request_email_verification import RequestEmailVerification
from application.use_cases.request_phone_code import RequestPhoneCode
from application.use_cases.reset_password import ResetPassword
from application.use_cases.secure_account import SecureAccount
from application.use_cases.session_management import SessionManagement
from application.use_cases.set_up_totp import SetUpTotp
from application.use_cases.start_provider_sign_in import StartProviderSignIn
from application.use_cases.unlink_account import UnlinkAccount
from application.use_cases.unlock_account import UnlockAccount
from application.use_cases.update_profile import UpdateProfile
from application.use_cases.verify_email import VerifyEmail
from application.use_cases.verify_phone import VerifyPhone
from application.use_cases.verify_reset_code import VerifyResetCode
from application.use_cases.verify_second_step import VerifySecondStep
from application.use_cases.start_passkey_registration import StartPasskeyRegistration
from application.use_cases.register_passkey import RegisterPasskey
from application.use_cases.list_passkeys import ListPasskeys
from application.use_cases.rename_passkey import RenamePasskey
from application.use_cases.remove_passkey import RemovePasskey
from application.use_cases.start_passkey_login import StartPasskeyLogin
from application.use_cases.login_with_passkey import LoginWithPasskey
from application.use_cases.start_second_step_passkey import StartSecondStepPasskey
from application.use_cases.start_passkey_reauth import StartPasskeyReauth
from application.use_cases.reauthenticate_with_passkey import ReauthenticateWithPasskey
from domain.clients import ClientInfo
from tests.fakes import (
    FakeClock,
    FakeCodes,
    FakeIdentityProvider,
    FakeIds,
    FakePasskeyVerifier,
    FakePasswordHasher,
    FakePhoneNumbers,
    FakeSecondFactorSecrets,
    FakeTokens,
    FakeUnitOfWork,
    InMemoryAttemptCounter,
    InMemoryCurrentUserQuery,
    InMemoryDatabase,
    InMemoryRefreshRotation,
    RecordingTelemetry,
)

CLIENT = ClientInfo(ip="203.0.113.7", user_agent="pytest")
# Another client than the one that registered: whose ip and user agent an event must carry.
ELSEWHERE = ClientInfo(ip="198.51.100.23", user_agent="Elsewhere/2.0")


@dataclass
class World:
    """Every use case wired to in-memory fakes that share one database."""

    db: InMemoryDatabase = field(default_factory=InMemoryDatabase)
    clock: FakeClock = field(default_factory=FakeClock)
    hasher: FakePasswordHasher = field(default_factory=FakePasswordHasher)
    tokens: FakeTokens = field(default_factory=FakeTokens)
    policy: SessionPolicy = field(default_factory=SessionPolicy)
    attempts: InMemoryAttemptCounter = field(default_factory=InMemoryAttemptCounter)
    limits: LoginLimits = field(
        default_factory=lambda: LoginLimits(per_address=AddressLimit(requests=5), failures=3)
    )
    register_limit: AddressLimit = field(default_factory=AddressLimit)
    google: FakeIdentityProvider = field(default_factory=FakeIdentityProvider)
    codes: FakeCodes = field(default_factory=FakeCodes)
    profile_policy: ProfilePolicy = field(default_factory=ProfilePolicy)
    phone_policy: PhoneCodePolicy = field(default_factory=PhoneCodePolicy)
    recovery_policy: RecoveryPolicy = field(default_factory=RecoveryPolicy)
    telemetry: RecordingTelemetry = field(default_factory=RecordingTelemetry)
    second_factor_policy: SecondFactorPolicy = field(default_factory=SecondFactorPolicy)
    freshness_policy: FreshnessPolicy = field(default_factory=FreshnessPolicy)
    mfa_secrets: FakeSecondFactorSecrets = field(default_factory=FakeSecondFactorSecrets)
    passkey_policy: PasskeyPolicy = field(default_factory=lambda: PasskeyPolicy(per_address=AddressLimit(requests=5)))
    passkey_verifier: FakePasskeyVerifier = field(default_factory=FakePasskeyVerifier)
    known_models: dict = field(default_factory=lambda: {"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4": "Google Password Manager"})

    @property
    def providers(self) -> dict:
        return {"google": self.google}

    def new_uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.db)

    def prove_address(self, user_id) -> None:
        """As if the owner had opened the verification link: the account may now gain sign-in
        methods and recovery channels."""
        self.db.users[user_id].email_verified_at = self.clock.now()

    @property
    def issuer(self) -> SessionIssuer:
        return SessionIssuer(tokens=self.tokens, ids=FakeIds(), policy=self.policy)

    @property
    def register(self) -> RegisterLocalUser:
        return RegisterLocalUser(
            new_uow=self.new_uow, hasher=self.hasher, clock=self.clock, ids=FakeIds(), issuer=self.issuer,
            attempts=self.attempts, email_links=self.email_links, devices=self.devices,
            telemetry=self.telemetry, limit=self.register_limit,
        )

    @property
    def login(self) -> LoginWithPassword:
        return LoginWithPassword(
            new_uow=self.new_uow, hasher=self.hasher, clock=self.clock, issuer=self.issuer,
            guard=LoginGuard(self.attempts, self.limits), tokens=self.tokens, ids=FakeIds(),
            lock_notice=LockNotice(new_uow=self.new_uow, email_links=self.email_links, clock=self.clock),
            new_device=NewDeviceAlert(self.email_links), devices=self.devices, telemetry=self.telemetry,
            second_step=self.second_step,
        )

    @property
    def devices(self) -> DeviceCookies:
        return DeviceCookies(self.tokens)

    @property
    def current_user(self) -> GetCurrentUser:
        return GetCurrentUser(query=InMemoryCurrentUserQuery(self.db), tokens=self.tokens, clock=self.clock)

    @property
    def refresh(self) -> RefreshSession:
        return RefreshSession(
            new_uow=self.new_uow, tokens=self.tokens, clock=self.clock, issuer=self.issuer,
            policy=self.policy, rotation=InMemoryRefreshRotation(self.db), telemetry=self.telemetry,
        )

    @property
    def logout(self) -> Logout:
        return Logout(new_uow=self.new_uow, tokens=self.tokens, clock=self.clock)

    @property
    def sessions(self) -> SessionManagement:
        return SessionManagement(
            current_user=self.current_user, new_uow=self.new_uow, tokens=self.tokens, clock=self.clock,
        )

    @property
    def security_events(self) -> ListSecurityEvents:
        return ListSecurityEvents(current_user=self.current_user, new_uow=self.new_uow)


    @property
    def start_provider(self) -> StartProviderSignIn:
        return StartProviderSignIn(
            providers=self.providers, new_uow=self.new_uow, tokens=self.tokens, clock=self.clock,
            current_user=self.current_user, policy=ProviderFlowPolicy(),
        )

    @property
    def complete_provider(self) -> CompleteProviderSignIn:
        return CompleteProviderSignIn(
            providers=self.providers, new_uow=self.new_uow, tokens=self.tokens, clock=self.clock,
            ids=FakeIds(), issuer=self.issuer, new_device=NewDeviceAlert(self.email_links),
            devices=self.devices, telemetry=self.telemetry, second_step=self.second_step,
            current_user=self.current_user,
        )

    @property
    def list_accounts(self) -> ListLinkedAccounts:
        return ListLinkedAccounts(current_user=self.current_user, new_uow=self.new_uow)

    @property
    def unlink(self) -> UnlinkAccount:
        return UnlinkAccount(
            current_user=self.current_user, new_uow=self.new_uow, clock=self.clock, freshness=self.freshness,
        )

    @property
    def update_profile(self) -> UpdateProfile:
        return UpdateProfile(
            current_user=self.current_user, new_uow=self.new_uow, phones=FakePhoneNumbers(), clock=self.clock,
            policy=self.profile_policy,
        )

    @property
    def request_phone_code(self) -> RequestPhoneCode:
        return RequestPhoneCode(
            current_user=self.current_user, new_uow=self.new_uow, codes=self.codes, tokens=self.tokens,
            attempts=self.attempts, clock=self.clock, ids=FakeIds(), policy=self.phone_policy,
        )

    @property
    def verify_phone(self) -> VerifyPhone:
        return VerifyPhone(
            current_user=self.current_user, new_uow=self.new_uow, tokens=self.tokens, clock=self.clock,
            policy=self.phone_policy,
        )

    @property
    def email_links(self) -> EmailLinks:
        return EmailLinks(tokens=self.tokens, default_locale="fr", whatsapp=self.phone_policy.whatsapp)

    @property
    def request_verification(self) -> RequestEmailVerification:
        return RequestEmailVerification(
            current_user=self.current_user, new_uow=self.new_uow, clock=self.clock, attempts=self.attempts,
            email_links=self.email_links,
        )

    @property
    def verify_email(self) -> VerifyEmail:
        return VerifyEmail(
            new_uow=self.new_uow, tokens=self.tokens, clock=self.clock, email_links=self.email_links,
        )

    @property
    def change_email(self) -> RequestEmailChange:
        return RequestEmailChange(
            current_user=self.current_user, new_uow=self.new_uow, hasher=self.hasher, clock=self.clock,
            email_links=self.email_links, guard=LoginGuard(self.attempts, self.limits), freshness=self.freshness,
        )

    @property
    def forgot_password(self) -> ForgotPassword:
        return ForgotPassword(
            new_uow=self.new_uow, phones=FakePhoneNumbers(), codes=self.codes, tokens=self.tokens,
            attempts=self.attempts, clock=self.clock, ids=FakeIds(), email_links=self.email_links,
            policy=self.recovery_policy, code_policy=self.phone_policy, profile_policy=self.profile_policy,
        )

    @property
    def verify_reset_code(self) -> VerifyResetCode:
        return VerifyResetCode(
            new_uow=self.new_uow, phones=FakePhoneNumbers(), tokens=self.tokens, attempts=self.attempts,
            clock=self.clock, policy=self.recovery_policy, code_policy=self.phone_policy,
            profile_policy=self.profile_policy,
        )

    @property
    def reset_password(self) -> ResetPassword:
        return ResetPassword(
            new_uow=self.new_uow, hasher=self.hasher, tokens=self.tokens, clock=self.clock,
            email_links=self.email_links, guard=LoginGuard(self.attempts, self.limits),
        )

    @property
    def secure_account(self) -> SecureAccount:
        return SecureAccount(new_uow=self.new_uow, tokens=self.tokens, clock=self.clock, telemetry=self.telemetry)

    @property
    def unlock(self) -> UnlockAccount:
        return UnlockAccount(
            new_uow=self.new_uow, tokens=self.tokens, clock=self.clock,
            guard=LoginGuard(self.attempts, self.limits), telemetry=self.telemetry,
        )

    @property
    def change_password(self) -> ChangePassword:
        guard = LoginGuard(self.attempts, self.limits)
        return ChangePassword(
            current_user=self.current_user, new_uow=self.new_uow, hasher=self.hasher, tokens=self.tokens,
            clock=self.clock, confirm=ConfirmPassword(hasher=self.hasher, guard=guard, clock=self.clock),
            email_links=self.email_links, freshness=self.freshness,
        )


    @property
    def freshness(self) -> Freshness:
        return Freshness(tokens=self.tokens, policy=self.freshness_policy)

    @property
    def second_step(self) -> SecondStep:
        return SecondStep(tokens=self.tokens, policy=self.second_factor_policy)

    @property
    def recovery_code_issuer(self) -> RecoveryCodeIssuer:
        return RecoveryCodeIssuer(secrets=self.mfa_secrets, tokens=self.tokens, policy=self.second_factor_policy)

    @property
    def mfa_status(self) -> GetMfaStatus:
        return GetMfaStatus(current_user=self.current_user, new_uow=self.new_uow)

    @property
    def set_up_totp(self) -> SetUpTotp:
        return SetUpTotp(
            current_user=self.current_user, new_uow=self.new_uow, clock=self.clock, secrets=self.mfa_secrets,
            freshness=self.freshness, policy=self.second_factor_policy,
        )

    @property
    def confirm_totp(self) -> ConfirmTotp:
        return ConfirmTotp(
            current_user=self.current_user, new_uow=self.new_uow, clock=self.clock,
            recovery_codes=self.recovery_code_issuer, email_links=self.email_links,
        )

    @property
    def disable_totp(self) -> DisableTotp:
        return DisableTotp(
            current_user=self.current_user, new_uow=self.new_uow, clock=self.clock, freshness=self.freshness,
            email_links=self.email_links,
        )

    @property
    def regenerate_recovery_codes(self) -> RegenerateRecoveryCodes:
        return RegenerateRecoveryCodes(
            current_user=self.current_user, new_uow=self.new_uow, clock=self.clock, freshness=self.freshness,
            recovery_codes=self.recovery_code_issuer, email_links=self.email_links,
        )

    @property
    def reauthenticate(self) -> Reauthenticate:
        return Reauthenticate(
            current_user=self.current_user, new_uow=self.new_uow, hasher=self.hasher, tokens=self.tokens,
            clock=self.clock, guard=LoginGuard(self.attempts, self.limits),
            lock_notice=LockNotice(new_uow=self.new_uow, email_links=self.email_links, clock=self.clock),
            policy=self.freshness_policy,
        )

    @property
    def verify_second_step(self) -> VerifySecondStep:
        return VerifySecondStep(
            new_uow=self.new_uow, clock=self.clock, tokens=self.tokens, ids=FakeIds(), issuer=self.issuer,
            guard=LoginGuard(self.attempts, self.limits),
            lock_notice=LockNotice(new_uow=self.new_uow, email_links=self.email_links, clock=self.clock),
            new_device=NewDeviceAlert(self.email_links), devices=self.devices, email_links=self.email_links,
            verifier=self.passkey_verifier, policy=self.second_factor_policy, telemetry=self.telemetry,
        )

    @property
    def start_second_step_passkey(self) -> StartSecondStepPasskey:
        return StartSecondStepPasskey(
            new_uow=self.new_uow, clock=self.clock, tokens=self.tokens, verifier=self.passkey_verifier,
            policy=self.passkey_policy, step_policy=self.second_factor_policy,
        )

    @property
    def start_passkey_reauth(self) -> StartPasskeyReauth:
        return StartPasskeyReauth(
            current_user=self.current_user, new_uow=self.new_uow, clock=self.clock, tokens=self.tokens,
            verifier=self.passkey_verifier, policy=self.passkey_policy,
        )

    @property
    def reauthenticate_with_passkey(self) -> ReauthenticateWithPasskey:
        return ReauthenticateWithPasskey(
            current_user=self.current_user, new_uow=self.new_uow, verifier=self.passkey_verifier,
            tokens=self.tokens, clock=self.clock, guard=LoginGuard(self.attempts, self.limits),
            lock_notice=LockNotice(new_uow=self.new_uow, email_links=self.email_links, clock=self.clock),
            policy=self.freshness_policy,
        )

    @property
    def start_passkey_registration(self) -> StartPasskeyRegistration:
        return StartPasskeyRegistration(
            current_user=self.current_user, new_uow=self.new_uow, clock=self.clock, tokens=self.tokens,
            freshness=self.freshness, verifier=self.passkey_verifier, policy=self.passkey_policy,
        )

    @property
    def register_passkey(self) -> RegisterPasskey:
        return RegisterPasskey(
            current_user=self.current_user, new_uow=self.new_uow, clock=self.clock, ids=FakeIds(),
            tokens=self.tokens, verifier=self.passkey_verifier, email_links=self.email_links,
            known_models=self.known_models,
        )

    @property
    def list_passkeys(self) -> ListPasskeys:
        return ListPasskeys(current_user=self.current_user, new_uow=self.new_uow)

    @property
    def rename_passkey(self) -> RenamePasskey:
        return RenamePasskey(current_user=self.current_user, new_uow=self.new_uow)

    @property
    def remove_passkey(self) -> RemovePasskey:
        return RemovePasskey(
            current_user=self.current_user, new_uow=self.new_uow, clock=self.clock, freshness=self.freshness,
            email_links=self.email_links,
        )

    def _passkey_limiter(self, scope: str) -> AddressLimiter:
        return AddressLimiter(self.attempts, scope, self.passkey_policy.per_address)

    @property
    def start_passkey_login(self) -> StartPasskeyLogin:
        return StartPasskeyLogin(
            new_uow=self.new_uow, clock=self.clock, tokens=self.tokens, verifier=self.passkey_verifier,
            limiter=self._passkey_limiter("passkey_options"), policy=self.passkey_policy,
        )

    @property
    def login_with_passkey(self) -> LoginWithPasskey:
        return LoginWithPasskey(
            new_uow=self.new_uow, clock=self.clock, tokens=self.tokens, verifier=self.passkey_verifier,
            limiter=self._passkey_limiter("passkey_login"), issuer=self.issuer,
            new_device=NewDeviceAlert(self.email_links), devices=self.devices, telemetry=self.telemetry,
        )


@pytest.fixture
def world() -> World:
    return World()

