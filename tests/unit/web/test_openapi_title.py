"""The OpenAPI title is APP_NAME: the docs page of a company's deployment is its own."""

from infrastructure.settings import load_settings
from web.app import create_app
from web.schema_export import REFERENCE_ENVIRONMENT


def title(**env: str) -> str:
    app = create_app(load_settings({**REFERENCE_ENVIRONMENT, **env}, env_file="/nonexistent/.env"))
    return app.openapi_schema.info.title


def test_the_openapi_title_is_the_app_name():
    assert title(APP_NAME="Acme") == "Acme"


def test_the_default_title_stays_sesame():  # the committed example schema depends on it
    assert title() == "Sésame"
