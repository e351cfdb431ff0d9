# Both targets bootstrap a fresh machine: uv (installed with pip when missing), .venv, dependencies.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
VENV := .venv/bin

.PHONY: dev serve migrate rotate-keys test bootstrap lint-imports unit integration e2e security resilience oidc-dev bench scale-bench workers-bench web client browser browser-deps

dev: bootstrap
	$(VENV)/python -OO -m web

# Production: APP_ENV=production in every worker (whatever env or .env say), one worker per core
# unless WORKERS is set (env or .env); each worker's pool from DATABASE_MAX_CONNECTIONS
# (docs/scaling.md). Needs DATABASE_URL, SECRET_KEY, and SENDGRID_API_KEY or MESSAGES_TO_LOG=true.
# Migrate first (make migrate): production does not migrate at start.
serve: bootstrap
	$(VENV)/python -OO -m web serve --production

migrate: bootstrap  # upgrade the schema of DATABASE_URL (or the embedded one) to head; no questions
	$(VENV)/python -m web migrate

# After a SECRET_KEY change (old key in SECRET_KEY_FALLBACKS): re-encrypt under the new key,
# in batches; idempotent. docs/operations.md "Rotate the secret key" says when to drop the fallbacks.
rotate-keys: bootstrap
	$(VENV)/python -m web rotate-keys

# tests/e2e/test_pgbouncer.py installs Debian's pgbouncer itself when run as root (CI), else skips.
test: bootstrap lint-imports browser-deps
	$(VENV)/python -m pytest tests

unit: bootstrap
	$(VENV)/python -m pytest tests/unit

integration: bootstrap
	$(VENV)/python -m pytest tests/integration

e2e: bootstrap
	$(VENV)/python -m pytest tests/e2e

security: bootstrap
	$(VENV)/python -m pytest tests/security

resilience: bootstrap  # 4 workers, a PostgreSQL restart, a minute without SendGrid and Twilio
	$(VENV)/python -m pytest tests/resilience

# The example app in Chromium (tests/browser): each session builds the app for its own API.
browser: bootstrap browser-deps
	$(VENV)/python -m pytest tests/browser

# What the browser tests need: Debian's Chromium (installed when we may: root and apt-get),
# and the app's packages (npm ci, again whenever package-lock.json changes).
CHROMIUM ?= /usr/bin/chromium
NEXT_APP := examples/nextjs
browser-deps: $(if $(wildcard $(NEXT_APP)/package-lock.json),$(NEXT_APP)/node_modules/.package-lock.json)
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM): run 'sudo apt-get install chromium'" \
	         "(Debian/Ubuntu) or set CHROMIUM=/path/to/chromium"; exit 1; \
	  fi; }
	@command -v npm >/dev/null || { echo "The browser tests need Node.js 20+ and npm (https://nodejs.org)"; exit 1; }

$(NEXT_APP)/node_modules/.package-lock.json: $(NEXT_APP)/package-lock.json
	@command -v npm >/dev/null || { echo "The example app needs Node.js 20+ and npm (https://nodejs.org)"; exit 1; }
	cd $(NEXT_APP) && npm ci --no-audit --no-fund
	@touch $@

# make oidc-dev EMAIL=ada@example.com NAME="Ada Lovelace": a local stand-in for Google on
# 127.0.0.1:9400 (OIDC_PORT=... for another port; see docs/flows.md). Only command-line values
# count: EMAIL is often set in shells for other tools.
OIDC_EMAIL := $(if $(filter command line,$(origin EMAIL)),$(EMAIL),dev@example.com)
OIDC_NAME := $(if $(filter command line,$(origin NAME)),$(NAME),Dev User)
oidc-dev: bootstrap
	$(VENV)/python -m tests.support.fake_oidc --email '$(OIDC_EMAIL)' --name '$(OIDC_NAME)' $(if $(OIDC_PORT),--port $(OIDC_PORT))

# make web: the API on :4000 and the Next.js example (examples/nextjs) on :3000, with local
# Google, Facebook and GitHub stand-ins; messages printed in this terminal; Ctrl-C stops all.
# Needs Node.js and npm (npm ci runs when node_modules is missing). API_PORT=/APP_PORT= to move.
web: bootstrap
	$(VENV)/python -m tests.support.web_dev

# make client: the example's OpenAPI snapshot and typed client, regenerated from the app's schema
# (tests/unit/test_frontend_client.py fails until they match).
client: bootstrap
	$(VENV)/python -m web.schema_export examples/nextjs/openapi.json
	@command -v npm >/dev/null || { echo "make client: npm is missing (install Node.js and npm) to regenerate src/api/schema.d.ts"; exit 1; }
	cd examples/nextjs && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run --silent gen:api

lint-imports: bootstrap
	PYTHONPATH=src $(VENV)/lint-imports

bootstrap:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet
	@UV='$(UV)' scripts/fast_argon2.sh

# The benchmark (bench/README.md): bench/setup.sh installs wrk (Debian's, when root) and the two
# peers under .bench/ (BENCH_SCRATCH), then the driver runs; results in .bench/results/<stamp>/.
# make bench: Sésame beside fastapi-users and Express + Passport, then the performance targets as
# PASS/FAIL lines. BENCH_ARGS goes to the driver (default: 1 rep x 5 s); RAW=path/raw.json judges a past run.
bench: bootstrap
	$(if $(RAW),,bench/setup.sh)
	$(VENV)/python -m bench $(if $(RAW),--raw '$(RAW)') $(BENCH_ARGS)

# make scale-bench: me, login, refresh at 1 000 and 1 000 000 seeded users; the 1k-vs-1M table.
# SCALE_ARGS: e.g. "--quick", "--reps 3 --duration 20", "--reseed", "--sizes 1000,100000".
scale-bench: bootstrap
	bench/setup.sh --no-peers
	$(VENV)/python -m bench.scale $(SCALE_ARGS)

# make workers-bench: python -m web serve --production with 1 and with WORKERS_N (2) workers, unpinned.
WORKERS_N ?= 2
workers-bench: bootstrap
	bench/setup.sh --no-peers
	$(VENV)/python -m bench.workers --workers $(WORKERS_N) $(WORKERS_ARGS)
