#!/usr/bin/env bash
# What the benchmark needs, installed where it may be: the load driver and the two peers.
# Quick when nothing changed (each peer is reinstalled only when its pinned versions change).
# The peers go under $BENCH_SCRATCH (default .bench/ at the project's root, ignored by git);
# only Debian's wrk goes to the system, and only when we are root.
#
#   bench/setup.sh             the load driver and both peers (make bench)
#   bench/setup.sh --no-peers  the load driver only (make scale-bench, make workers-bench)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRATCH=${BENCH_SCRATCH:-$ROOT/.bench}
PEERS=$ROOT/bench/peers
# The Python peer runs on Sésame's interpreter: the figures compare frameworks, not Pythons.
PYTHON=$ROOT/.venv/bin/python

fail() { echo "bench: $*" >&2; exit 1; }

# The load driver: wrk where it is or can be installed, else the Python driver (bench/pyload.py).
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing Debian's wrk"
    apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
  else
    echo "bench: wrk is MISSING, so the Python driver (bench/pyload.py) will send every request."
    echo "       It needs more CPU per request than wrk: on /health its own core saturates first,"
    echo "       so that figure is the client's, not the server's. For the figures docs/performance.md"
    echo "       quotes, install wrk (sudo apt-get install wrk) and run again."
  fi
fi
for tool in psql createdb dropdb; do
  command -v $tool >/dev/null || fail "$tool is missing: install PostgreSQL's client programs (apt-get install postgresql-client)"
done
psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 \
  || fail "no PostgreSQL answers on 127.0.0.1:5432 as postgres without a password (trust): the benchmark drops and creates its databases there"
[ "$(nproc)" -ge 2 ] || fail "the benchmark needs 2 CPUs: the server on one, the load driver on the other"
[ "${1:-}" = --no-peers ] && exit 0

# Peer: fastapi-users, in a venv of its own.
venv=$SCRATCH/fastapi-users
if ! cmp -s "$PEERS/fastapi_users/requirements.txt" "$venv/installed.txt"; then
  echo "bench: installing the fastapi-users peer in $venv"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$PEERS/fastapi_users/requirements.txt" 2>&1 \
    | grep -v "^WARNING: Location" || true
  "$venv/bin/python" -c "import fastapi_users, uvicorn" || fail "the fastapi-users peer did not install"
  cp "$PEERS/fastapi_users/requirements.txt" "$venv/installed.txt"
fi

# Peer: Express + Passport. Its node_modules live in scratch; the server finds them by NODE_PATH.
modules=$SCRATCH/express-passport
if ! cmp -s "$PEERS/express_passport/package-lock.json" "$modules/installed.json"; then
  command -v npm >/dev/null || fail "the Express peer needs Node.js 18+ and npm (https://nodejs.org)"
  echo "bench: installing the Express + Passport peer in $modules"
  rm -rf "$modules"
  mkdir -p "$modules"
  cp "$PEERS/express_passport/package.json" "$PEERS/express_passport/package-lock.json" "$modules/"
  (cd "$modules" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  (cd "$modules" && node -e "require('bcrypt'); require('connect-pg-simple'); require('passport-local')") \
    || fail "the Express peer's packages do not load"
  cp "$PEERS/express_passport/package-lock.json" "$modules/installed.json"
fi
driver="no wrk: the Python driver"
command -v wrk >/dev/null && driver=$( (wrk -v 2>&1 || true) | head -1 | cut -d' ' -f1-2)
echo "bench: ready ($driver; peers in $SCRATCH)"
