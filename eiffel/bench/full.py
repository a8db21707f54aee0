"""`eiffel bench --full`: run the benchmark suite of a source checkout.

The full benchmarks (benchmarks/ in the repository: the pytest-benchmark
suite, the C microbenchmarks of the core and their baselines, CFFSQueue
against the heapq recipe at 10^6 elements) need the C sources, a compiler
and make, so they run from a checkout, not from an installed wheel.  This
is a thin front end over ``make -C benchmarks [LEVEL...]``; results land in
benchmarks/results/.
"""

import shutil
import subprocess
import sys
from pathlib import Path

# The benchmarks/Makefile targets offered here: those that run on any host
# (its kernel levels need the test VMs and root).
LEVELS = ("python", "c", "claims", "report", "smoke")


def _benchmarks_dir():
    here = Path(__file__).resolve().parents[2] / "benchmarks"
    return here if (here / "Makefile").exists() else None


def run_full(levels=()):
    """Run benchmark levels (none: the Makefile's `all`); return the exit status."""
    where = _benchmarks_dir()
    if where is None:
        print("eiffel bench --full needs a source checkout of eiffel (benchmarks/ was not"
              " found next to the package); `eiffel bench` is the quick comparison.",
              file=sys.stderr)
        return 2
    if shutil.which("make") is None:
        print("eiffel bench --full needs `make` on PATH", file=sys.stderr)
        return 2
    cmd = ["make", "-C", str(where), f"PYTHON={sys.executable}", *levels]
    return subprocess.run(cmd).returncode
