"""The argon2 library make bootstrap installs (scripts/fast_argon2.sh may rebuild it with AVX2)
computes the same function as the PyPI wheel, and an AVX2 build refuses a CPU without AVX2."""

import pytest

from infrastructure.security.passwords import Argon2PasswordHasher, ensure_argon2_fits_cpu

# Made by the PyPI wheel of argon2-cffi-bindings: argon2id, m=19 MiB, t=2, p=1, a fixed salt.
WHEEL_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$c2VzYW1lLWtub3duLXNhbHQ$"
    "kGRSALC1Jk5okFi6fmV4gICLoWQ5upHEgswMoL/lXRw"
)


async def test_the_installed_argon2_agrees_with_the_wheel():
    hasher = Argon2PasswordHasher()
    try:
        assert (await hasher.verify("correct horse battery staple", WHEEL_HASH)).valid
        assert not (await hasher.verify("correct horse battery stapler", WHEEL_HASH)).valid
    finally:
        hasher.close()


def _cpu(tmp_path, flags):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    return cpuinfo


def test_an_avx2_build_refuses_a_cpu_without_avx2(tmp_path):
    marker = tmp_path / ".argon2-avx2"
    marker.write_text("sha1\n")
    with pytest.raises(RuntimeError, match="ARGON2_BUILD=wheel"):
        ensure_argon2_fits_cpu(marker, _cpu(tmp_path, "fpu sse2 avx avx512f"))
    ensure_argon2_fits_cpu(marker, _cpu(tmp_path, "fpu sse2 avx avx2"))


def test_the_wheel_runs_anywhere(tmp_path):
    ensure_argon2_fits_cpu(tmp_path / "no-marker", _cpu(tmp_path, "fpu sse2"))
