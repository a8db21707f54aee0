"""`eiffel bench --full`: run the benchmark suite of a source checkout.

The full benchmarks (benchmarks/ in the repository: the pytest-benchmark
suite, the C microbenchmarks of the core and their baselines, issue 2's
claims) need the C sources, a compiler and make, so they run from a checkout,
not from an installed wheel.  This is a thin front end over
``make -C benchmarks [LEVEL...]``; results land in benchmarks/results/.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

LEVELS = ("python", "c", "claims", "report", "smoke")


def _benchmarks_dir():
    here = Path(__file__).resolve().parents[2] / "benchmarks"
    return here if (here / "Makefile").exists() else None


def run_full(argv=None):
    """Run benchmark levels (default: all); return the exit status."""
    parser = argparse.ArgumentParser(
        prog="eiffel bench --full",
        description="Run the full benchmarks of a source checkout (make -C benchmarks).",
    )
    parser.add_argument("levels", nargs="*", metavar="LEVEL",
                        help=f"any of {', '.join(LEVELS)} (default: python c claims)")
    args = parser.parse_args(argv)
    unknown = [level for level in args.levels if level not in LEVELS]
    if unknown:
        parser.error(f"unknown level {unknown[0]!r}; choose from {', '.join(LEVELS)}")
    where = _benchmarks_dir()
    if where is None:
        print("eiffel bench --full needs a source checkout of eiffel (benchmarks/ was not"
              " found next to the package); run `eiffel bench` for the quick comparison.",
              file=sys.stderr)
        return 2
    if shutil.which("make") is None:
        print("eiffel bench --full needs `make` on PATH", file=sys.stderr)
        return 2
    cmd = ["make", "-C", str(where), f"PYTHON={sys.executable}", *args.levels]
    return subprocess.run(cmd).returncode


if __name__ == "__main__":
    sys.exit(run_full())
