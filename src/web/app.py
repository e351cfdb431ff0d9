"""The app: `uvicorn web.app:create_app --factory` (python -m web serves it with our limits)."""

import logging
from collections.abc import Iterable

from litestar.config.cors import CORSConfig
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from swagger_ui_bundle import swagger_ui_path

from infrastructure.persistence.errors import DATABASE_ERRORS, database_unavailable
from infrastructure.persistence.problems import database_problem
from infrastructure.settings import Settings, load_settings_or_exit
from infrastructure.settings.passwords import password_warnings
from web.composition.adapters import Infrastructure, build_infrastructure
from web.composition.policies import policies
from web.composition.use_cases import use_case_dependencies
from web.controllers.account import AccountController
from web.controllers.account_security import AccountSecurityController
from web.controllers.accounts import AccountsController, ProvidersController
from web.controllers.auth import AuthController
from web.controllers.email import EmailController
from web.controllers.health import HealthController
from web.controllers.phone import PhoneController
from web.controllers.profile import ProfileController
from web.controllers.providers import provider_controller
from web.controllers.recovery import RecoveryController
from web.controllers.passkeys import PasskeysController
from web.controllers.second_factor import MfaController, ReauthController
from web.controllers.sessions import EventsController, SessionsController
from web.edge.cookies import CookiePolicy
from web.edge.form_login import redirect_form_failures
from web.edge.head_and_preflight import HeadAndPreflight
from web.edge.request import ApiRequest
from web.edge.request_guard import make_request_guard
from web.edge.sites import site_warnings
from web.errors import make_exception_handlers
from web.frontend import Frontend
from web.observability.access import ObservedRequests
from web.openapi import BodySchemaPlugin, complete_schema
from web.serving.lifespan import SesameApp

MAX_BODY_BYTES = 64 * 1024
DOCS_ASSETS = "/schema/assets"

log = logging.getLogger("sesame")


def create_app(
    settings: Settings | None = None, infrastructure: Infrastructure | None = None
) -> SesameApp:
    """The composition root, in the order it runs: the settings; the rules they make; an
    adapter behind each port; the use cases, built once from both; the app that serves them."""
    settings = settings or load_settings_or_exit()
    for warning in [
        *site_warnings(
            settings.serving.api_url, settings.serving.frontend_origin, settings.sessions.cookie_samesite,
            settings.production,
        ),
        *password_warnings(settings.passwords, settings.production),
    ]:
        log.warning(warning)
    rules = policies(settings)
    infrastructure = infrastructure or build_infrastructure(settings)
    cookies = CookiePolicy(
        secure=settings.production,
        samesite=settings.sessions.cookie_samesite,  # type: ignore[arg-type]
        domain=settings.sessions.cookie_domain,
    )
    frontend = Frontend(settings.serving.frontend_origin)
    use_cases = use_case_dependencies(infrastructure.ports, rules, cookies, frontend)
    app = SesameApp(  # Litestar, with a database problem at start told in one line
        route_handlers=_routes(infrastructure.ports.identity_providers),
        dependencies=use_cases,
        exception_handlers=redirect_form_failures(
            make_exception_handlers(
                cookies, DATABASE_ERRORS, database_unavailable, infrastructure.schema_behind,
                telemetry=infrastructure.ports.telemetry,
            ),
            frontend,
        ),
        before_request=make_request_guard(settings.serving.cors_origins),
        cors_config=CORSConfig(
            allow_origins=settings.serving.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],  # a frontend can quote it in a bug report
            allow_credentials=True,
            max_age=600,
        ),
        plugins=[BodySchemaPlugin()],  # no SQLAlchemyPlugin: the engine is ours (composition/adapters.py)
        on_startup=infrastructure.on_startup,
        on_shutdown=infrastructure.on_shutdown,
        openapi_config=OpenAPIConfig(
            title=settings.branding.app_name,  # APP_NAME: the service's name, not ours
            version="1.0.0",
            description="Authentication API for the Next.js frontend (reference: docs/api.md in "
            'the repository). Every error is `{"error", "message"}` (plus `fields` for '
            '`invalid_request`, `providers` for `social_only`, `methods` for `mfa_required` and '
            '`reauth_required`).',
            path="/schema",
            render_plugins=[_swagger_ui()],
        ),
        request_max_body_size=MAX_BODY_BYTES,
        cache_control=CacheControlHeader(no_store=True),  # user data and Set-Cookie: never cached
        response_headers=[ResponseHeader(name="X-Content-Type-Options", value="nosniff")],
        request_class=ApiRequest,
        debug=False,
        start_problem=database_problem,  # a database that cannot be used: one line, not a traceback
        logging_config=None,  # the process's one setup (web.observability.log_setup) stays as it is
    )
    complete_schema(app)
    app.asgi_handler = ObservedRequests(  # outermost: every answer has its id, line and measures
        HeadAndPreflight(app.asgi_handler, app.cors_config.is_origin_allowed),  # outside CORS
        access_log=settings.serving.access_log, observe=infrastructure.observe_request,
    )
    return app


def _routes(identity_providers: Iterable[str]) -> list[ControllerRouterHandler]:
    # Google always has its routes (answering 503 until configured); others only when
    # configured, so an unconfigured one answers 404.
    providers = sorted({"google", *identity_providers})
    return [
        AuthController,
        AccountsController,
        AccountController,
        ProvidersController,
        ProfileController,
        PhoneController,
        EmailController,
        RecoveryController,
        AccountSecurityController,
        MfaController,
        PasskeysController,
        ReauthController,
        SessionsController,
        EventsController,
        HealthController,
        *(provider_controller(name) for name in providers),
        create_static_files_router(DOCS_ASSETS, [swagger_ui_path], include_in_schema=False),
    ]


def _swagger_ui() -> SwaggerRenderPlugin:
    """The docs page at /schema, with Swagger UI served from the installed package (no CDN)."""
    return SwaggerRenderPlugin(
        js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{DOCS_ASSETS}/favicon-32x32.png'>",
    )
