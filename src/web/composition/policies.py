"""The application's rules as this deployment's settings make them: the one place where a
setting becomes a policy. The rules the contract fixes keep their values (application/policy.py)."""

from datetime import timedelta

from application.policy import (
    EmailLinkPolicy,
    FreshnessPolicy,
    LoginLimits,
    PasskeyPolicy,
    PhoneCodePolicy,
    Policies,
    ProfilePolicy,
    ProviderFlowPolicy,
    RecoveryPolicy,
    SecondFactorPolicy,
    SessionPolicy,
)
from infrastructure.settings import Settings


def policies(settings: Settings) -> Policies:
    sessions = settings.sessions
    return Policies(
        sessions=SessionPolicy(
            session_ttl=timedelta(seconds=sessions.session_ttl),
            refresh_ttl=timedelta(seconds=sessions.refresh_ttl),
            reuse_grace=timedelta(seconds=sessions.refresh_reuse_grace),
        ),
        login=LoginLimits(),
        provider_flow=ProviderFlowPolicy(),
        email_links=EmailLinkPolicy(),
        recovery=RecoveryPolicy(),
        phone_codes=PhoneCodePolicy(
            default_locale=settings.messaging.default_locale, whatsapp=settings.whatsapp_enabled
        ),
        profile=ProfilePolicy(
            phone_region=settings.profiles.default_phone_region, local_http_photos=not settings.production
        ),
        second_factor=SecondFactorPolicy(issuer=settings.branding.issuer),
        freshness=FreshnessPolicy(max_age=timedelta(seconds=sessions.reauth_max_age)),
        passkeys=PasskeyPolicy(),
    )
