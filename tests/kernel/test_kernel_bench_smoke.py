"""The kernel level of the benchmarks (benchmarks/kernel/run_kernel_bench.py)
at toy size, so that it never rots: a few paced TCP flows through each qdisc
for one second.  Checks that every number the report needs is there; it
times nothing."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "kernel"
QDISCS = ("eiffel", "fq", "pfifo")


@pytest.fixture(scope="module")
def loadgen(tmp_path_factory):
    binary = tmp_path_factory.mktemp("loadgen") / "loadgen"
    subprocess.run(["make", "-s", "-C", str(BENCH), f"BIN={binary}"], check=True)
    return binary


def test_tcp_level_runs_every_qdisc(ko, loadgen, tmp_path):
    out = tmp_path / "results"
    subprocess.run(
        [sys.executable, str(BENCH / "run_kernel_bench.py"), "--flows", "8",
         "--qdiscs", ",".join(QDISCS), "--mbit", "20", "--seconds", "1", "--warmup", "0.5",
         "--settle", "0.2", "--loadgen", str(loadgen), "--out", str(out)],
        check=True, timeout=300, env={"EIFFEL_KO": str(ko), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    data = json.loads(next(out.glob("kernel-*.json")).read_text())
    rows = {r["qdisc"]: r for r in data["runs"]}
    assert set(rows) == set(QDISCS)
    for name, r in rows.items():
        assert r["flows"] == 8 and r["mbit"] > 0 and r["cpu_s_per_gb"] > 0, r
        assert r["qdisc_packets"] > 0 and r["qdisc_drops"] == 0, r
        if name != "pfifo":  # see QDISC_FUNCS: pfifo's calls are not counted
            enqueues, dequeues = r["calls"].values()
            # Every enqueued skb leaves through a dequeue call.
            assert 0 < enqueues <= dequeues, (name, r["calls"])
        assert r["tcp"]["OutSegs"] > 0, r["tcp"]
    xstats = rows["eiffel"]["eiffel_xstats"]
    assert xstats["early_packets"] == 0 and xstats["enqueued"] > 0, xstats
    # The report renders what the run wrote.
    subprocess.run([sys.executable, str(BENCH / "report_kernel.py"), "--results", str(out),
                    "--no-plots"], check=True, timeout=120)
    table = (out / "table.md").read_text()
    assert all(f"| 8 | {q} |" in table for q in QDISCS), table
    # The namespaces are gone afterwards.
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert "bench-a" not in netns and "bench-b" not in netns, netns
