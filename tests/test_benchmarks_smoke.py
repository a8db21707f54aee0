"""Smoke runs of every benchmark level, so the benchmarks never rot.

Nothing here is timed or compared: each level runs at a toy size and must
finish cleanly and write what its report step reads.  The real runs are
`make -C benchmarks` (see benchmarks/README.md).
"""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
CC = shutil.which("gcc") or shutil.which("cc")


def run(*cmd, cwd=BENCH):
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def c_bench(tmp_path_factory):
    if CC is None or shutil.which("make") is None:
        pytest.skip("the C benchmark needs a C compiler and make")
    binary = tmp_path_factory.mktemp("cbench") / "bench"
    run("make", "-s", "-C", BENCH / "c", f"BIN={binary}", f"CC={CC}", "-B", binary)
    return binary


def test_c_bench_runs_every_experiment(c_bench, tmp_path):
    # Every run inside bench checks the pop order and count, so this also
    # checks all the baselines and the core at each point.
    out = tmp_path / "c"
    out.mkdir()
    for experiment in ("fig12", "fig13", "fig14", "scaling"):
        (out / f"{experiment}.csv").write_text(run(c_bench, "--smoke", experiment))
    with open(out / "fig12.csv") as f:
        rows = list(csv.DictReader(f))
    assert {r["contender"] for r in rows} >= {"fifo", "heap", "rbtree", "bucket_heap", "cffs", "approx"}
    assert all(float(r["mpps"]) > 0 for r in rows)
    run(sys.executable, "report_c.py", "--results", out, "--no-plots")
    assert "Fig. 12" in (out / "table.md").read_text()


def test_callgrind_counts(c_bench, tmp_path):
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    run(sys.executable, "c/callgrind.py", "--bench", c_bench, "--out", tmp_path,
        "--points", "1000:1", "--queues", "cffs", "heap", "--annotate", "cffs:1000:1")
    with open(tmp_path / "callgrind.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["queue"] for r in rows] == ["cffs", "heap"]
    assert all(float(r["instr_per_pkt"]) > 0 for r in rows)
    assert (tmp_path / "callgrind" / "cffs-1000-1.txt").exists()


@pytest.mark.extra("bench")
def test_python_suite_and_table(tmp_path):
    data = tmp_path / "python.json"
    run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_python_queues.py",
        "--bench-smoke", f"--benchmark-json={data}")
    benchmarks = json.loads(data.read_text())["benchmarks"]
    names = {b["extra_info"]["contender"] for b in benchmarks}
    assert {"eiffel.CFFSQueue", "heapq (rank, seq, item)", "heapq ints"} <= names
    # The bench extra's contenders ran too (they skip themselves where missing).
    assert {"SortedKeyList", "pqdict", "heapx (rank, seq, item)"} <= names
    run(sys.executable, "compare.py", data, "--out", tmp_path, "--no-plots")
    assert "eiffel.CFFSQueue" in (tmp_path / "table.md").read_text()


def test_claims(tmp_path):
    run(sys.executable, "claims.py", "--n", "2000", "--repeats", "1", "--hold-ops", "300",
        "--out", tmp_path)
    claims = json.loads((tmp_path / "claims.json").read_text())
    assert set(claims["fill_drain"]) == {"uniform", "timelike"}
    assert claims["memory"]["core_node_bytes"] == 24
    run(sys.executable, "overhead.py", "--repeats", "1", "--out", tmp_path)
    assert "raw cffi" in (tmp_path / "overhead.md").read_text()


def test_kernel_loadgen_over_loopback(tmp_path):
    # The kernel level itself needs the QEMU VMs (make -C benchmarks kernel);
    # here its load generator runs on the host: 4 paced flows for 1 s.
    if CC is None or shutil.which("make") is None:
        pytest.skip("the load generator needs a C compiler and make")
    binary = tmp_path / "loadgen"
    run("make", "-s", "-C", BENCH / "kernel", f"BIN={binary}", f"CC={CC}", "-B", binary)
    assert "loadgen smoke" in run(sys.executable, "kernel/smoke.py", binary)


# The kernel levels run in the VMs (make -C benchmarks kernel; their smoke
# tests are tests/kernel/test_kernel_bench_smoke.py and test_qbench_smoke.py);
# here each report step rebuilds its table from the saved runs.
@pytest.mark.parametrize("saved_glob, script, table_name", [
    ("kernel-*.json", "report_kernel.py", "table.md"),
    ("qbench-[0-9]*.json", "report_qbench.py", "qbench.md"),
])
def test_kernel_level_reports(tmp_path, saved_glob, script, table_name):
    saved = sorted((BENCH / "results" / "kernel").glob(saved_glob))
    if not saved:
        pytest.skip(f"no saved {saved_glob} results")
    for p in saved:
        shutil.copy(p, tmp_path)
    run(sys.executable, f"kernel/{script}", "--results", tmp_path, "--no-plots")
    table = (tmp_path / table_name).read_text()
    assert "| eiffel |" in table and "| fq | " in table and "| pfifo |" in table
