#!/bin/sh
# Rebuild argon2-cffi-bindings for this machine's CPU, once per install (make bootstrap).
#
# Why: the published wheels compute Argon2 with SSE2. Built from the same source with AVX2, the
# same function (same output: checked below) takes half the time: 24 -> 11 ms per argon2id
# verify at m=19 MiB, t=2, p=1 on the bench machine (docs/performance.md). A login is 94%
# argon2, so this doubles the logins one core serves without weakening the hash.
#
# When: x86-64 Linux, a CPU with AVX2 and a C compiler. Anywhere else the portable wheel stays.
# ARGON2_BUILD=wheel keeps (or restores) the wheel: for a venv or image that will run on other
# CPUs, since an AVX2 build dies with SIGILL on a CPU without AVX2.
set -eu

VENV=${VENV:-.venv}
UV=${UV:-uv}
PY="$VENV/bin/python"
MARKER="$VENV/.argon2-avx2"   # the sha1 of the library we built: anything else is not ours
KNOWN='$argon2id$v=19$m=19456,t=2,p=1$c2VzYW1lLWtub3duLXNhbHQ$kGRSALC1Jk5okFi6fmV4gICLoWQ5upHEgswMoL/lXRw'

library() { "$PY" -c 'import _argon2_cffi_bindings._ffi as m; print(m.__file__)'; }
fingerprint() { sha1sum "$(library)" | cut -d' ' -f1; }
restore_wheel() {
  rm -f "$MARKER"
  $UV sync --frozen --quiet --reinstall-package argon2-cffi-bindings
}
same_function() {  # the wheel's answer for a fixed password and salt (made with the PyPI wheel)
  "$PY" -c "import sys; from argon2 import PasswordHasher; PasswordHasher().verify(sys.argv[1], 'correct horse battery staple')" "$KNOWN" 2>/dev/null
}

if [ "${ARGON2_BUILD:-native}" = wheel ]; then
  [ -f "$MARKER" ] && { echo "argon2: back to the portable wheel (ARGON2_BUILD=wheel)"; restore_wheel; }
  exit 0
fi
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] && grep -qw avx2 /proc/cpuinfo || exit 0
[ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$(fingerprint)" ] && exit 0
command -v "${CC:-cc}" >/dev/null 2>&1 || {
  echo "argon2: no C compiler, keeping the SSE2 wheel (logins about half as fast; see docs/performance.md)"
  exit 0
}

version=$("$PY" -c 'import importlib.metadata as m; print(m.version("argon2-cffi-bindings"))')
echo "argon2: building argon2-cffi-bindings $version with AVX2 for this CPU (once)"
# --no-cache: a wheel cached from a plain build would otherwise be reused as is.
if CFLAGS="-O3 -mavx2" $UV pip install --quiet --python "$PY" --no-cache \
     --reinstall-package argon2-cffi-bindings --no-binary argon2-cffi-bindings \
     "argon2-cffi-bindings==$version" && same_function; then
  fingerprint > "$MARKER"
else
  echo "argon2: the AVX2 build failed or disagreed with the wheel; keeping the wheel"
  restore_wheel
fi
