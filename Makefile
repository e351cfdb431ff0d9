# Both targets bootstrap a fresh machine: uv (installed with pip when missing), .venv, dependencies.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
VENV := .venv/bin

.PHONY: dev test bootstrap lint-imports unit integration e2e oidc-dev

dev: bootstrap
	$(VENV)/python -m web

test: bootstrap lint-imports
	$(VENV)/python -m pytest tests

unit: bootstrap
	$(VENV)/python -m pytest tests/unit

integration: bootstrap
	$(VENV)/python -m pytest tests/integration

e2e: bootstrap
	$(VENV)/python -m pytest tests/e2e

oidc-dev: bootstrap  # a local stand-in for Google on 127.0.0.1:9400 (see README)
	$(VENV)/python -m tests.support.fake_oidc

lint-imports: bootstrap
	PYTHONPATH=src $(VENV)/lint-imports

bootstrap:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet
