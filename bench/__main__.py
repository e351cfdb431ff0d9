"""`make bench`: Sésame beside fastapi-users and Express + Passport in one interleaved run,
then the performance targets as PASS/FAIL lines (bench/targets.py).

A regression guard, not a test: a short run on a busy machine is noisy, so read a FAIL as
"measure again, properly", then judge that run with RAW= (or --raw).

    make bench                                        # 1 rep x 5 s, about 5 minutes
    make bench BENCH_ARGS="--reps 3 --duration 20"    # the run docs/performance.md quotes
    make bench RAW=.bench/results/<stamp>/raw.json    # only judge a finished run
    .venv/bin/python -m bench [--raw FILE] [any option of python -m bench.loadtest]

Needs what bench/setup.sh installs or checks (make bench runs it first).
"""

import argparse
import sys
from pathlib import Path

from bench import loadtest, systems, targets

SYSTEMS = ("sesame.toml", "fastapi_users.toml", "express_passport.toml")  # the first is the ratios' reference
SHORT = ["--reps", "1", "--duration", "5", "--warmup", "2"]  # later options override these


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw", help="judge this raw.json instead of running")
    args, rest = parser.parse_known_args(argv)
    if args.raw:
        raw = Path(args.raw)
    else:
        raw = loadtest.run([systems.load(systems.SYSTEMS / name) for name in SYSTEMS], loadtest.options(SHORT + rest))
    text, passed = targets.report(raw)
    print("\n" + text, flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
