"""Driving eiffel_qbench.ko (qbench/eiffel_qbench.c) from inside the test VM.

Shared by the benchmark (run_qbench.py) and its CI smoke test
(tests/kernel/test_qbench_smoke.py).  As root in a kmod/vm guest:

    setup(qbench_ko, eiffel_ko)        # dummy device DEV, modules loaded
    attach("fq", limit=..., flow_limit=...)
    row = run_once(flows=1000, pkts=4, gap_us=..., lead_us=...)

run_once() returns the module's figures (key=value) as a dict, plus the
qdisc's own counters from `tc -s`, and derived per-packet costs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

DEV = "qbench0"
PARAMS = Path("/sys/module/eiffel_qbench/parameters")
# The module gives flow f the hash f * odd mod 2^17: this orphan mask keeps
# every flow apart (fq's and eiffel's default, 1023, would merge them).
ORPHAN_MASK = (1 << 17) - 1
QDISCS = ("eiffel", "fq", "pfifo")


def sh(*argv, check=True, timeout=300) -> str:
    argv = [str(a) for a in argv]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode:
        raise RuntimeError(f"{' '.join(argv)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p.stdout


def setup(qbench_ko: str, eiffel_ko: str | None) -> None:
    """Load the modules and bring up DEV, a dummy device nothing else uses."""
    for mod in ("dummy", "sch_fq"):
        sh("modprobe", mod)
    if eiffel_ko and not os.path.isdir("/sys/module/sch_eiffel"):
        sh("insmod", eiffel_ko)
    if not PARAMS.is_dir():
        sh("insmod", qbench_ko)
    sh("ip", "link", "del", DEV, check=False)
    sh("ip", "link", "add", DEV, "type", "dummy")
    # No IPv6 autoconfiguration or ARP: the stack must send nothing through
    # the qdisc under test (the module would count it as foreign).
    sh("sysctl", "-qw", f"net.ipv6.conf.{DEV}.disable_ipv6=1")
    sh("ip", "link", "set", DEV, "arp", "off", "up")


def teardown() -> None:
    sh("ip", "link", "del", DEV, check=False)
    sh("rmmod", "eiffel_qbench", check=False)


def attach(qdisc: str, *, limit: int, flow_limit: int, buckets: int | None = None) -> str:
    """A fresh root qdisc on DEV (no flows left over from an earlier run);
    returns `tc qdisc show`'s line for it."""
    sh("tc", "qdisc", "del", "dev", DEV, "root", check=False)
    if qdisc == "eiffel":
        from eiffel.qdisc import netlink

        opts = {"limit": limit, "flow_limit": flow_limit, "orphan_mask": ORPHAN_MASK}
        if buckets:
            opts["buckets"] = buckets
        netlink.add(DEV, **opts)
    elif qdisc == "fq":
        extra = ["buckets", buckets] if buckets else []
        sh("tc", "qdisc", "add", "dev", DEV, "root", "fq", "limit", limit,
           "flow_limit", flow_limit, "orphan_mask", ORPHAN_MASK, *extra)
    elif qdisc == "pfifo":
        sh("tc", "qdisc", "add", "dev", DEV, "root", "pfifo", "limit", limit)
    else:
        raise ValueError(f"unknown qdisc {qdisc!r}, expected one of {QDISCS}")
    return sh("tc", "qdisc", "show", "dev", DEV, "root").strip()


def flow_count(qdisc: str) -> int | None:
    """Flows the qdisc holds now (fq and eiffel; None for pfifo)."""
    if qdisc == "eiffel":
        from eiffel.qdisc import netlink

        return netlink.stats(DEV)["flows"]
    if qdisc == "fq":
        out = sh("tc", "-s", "qdisc", "show", "dev", DEV, "root")
        m = re.search(r"\bflows (\d+)", out)
        if not m:
            raise RuntimeError(f"no flow count in:\n{out}")
        return int(m[1])
    return None


def qdisc_counters() -> dict:
    out = sh("tc", "-s", "qdisc", "show", "dev", DEV, "root")
    m = re.search(r"Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits (\d+) "
                  r"requeues (\d+)\)\s+backlog (\d+)b (\d+)p", out)
    if not m:
        raise RuntimeError(f"cannot read the counters of:\n{out}")
    keys = ("sent_bytes", "sent_packets", "drops", "overlimits", "requeues",
            "backlog_bytes", "backlog_packets")
    return dict(zip(keys, map(int, m.groups())))


def parse_result(line: str) -> dict:
    row = {}
    for word in line.split():
        key, _, value = word.partition("=")
        row[key] = int(value) if re.fullmatch(r"-?\d+", value) else value
    return row


def run_once(**params) -> dict:
    """One run of the module with these parameters (flows, pkts, gap_us,
    lead_us, poll_us, seed, pkt_len, timeout_s); raises OSError with the
    module's errno if it fails (its reason is in the kernel log)."""
    for key, value in params.items():
        (PARAMS / key).write_text(f"{value}\n")
    before = qdisc_counters()
    # Unbuffered: one write(2), whose error is the module's (a buffered file
    # would try the write again when closed).
    fd = os.open(PARAMS / "run", os.O_WRONLY)
    try:
        os.write(fd, b"1\n")
    finally:
        os.close(fd)
    row = parse_result((PARAMS / "result").read_text())
    after = qdisc_counters()
    row["tc_sent"] = after["sent_packets"] - before["sent_packets"]
    row["tc_drops"] = after["drops"] - before["drops"]
    row["tc_backlog_packets"] = after["backlog_packets"]
    row.update(derived(row))
    return row


def derived(r: dict) -> dict:
    """Per-packet figures.  Each dequeue call is timed on its own, so one
    clock read (clock_ns) is taken off each; enqueue is timed in batches."""
    on_time = r["dequeued"] - r["early"]
    nulls = r["null_calls"]
    return {
        "enq_ns_per_pkt": r["enq_ns"] / r["packets"],
        "deq_ns_per_pkt": r["deq_ns"] / max(1, r["dequeued"]) - r["clock_ns"],
        "null_per_pkt": nulls / max(1, r["dequeued"]),
        "null_ns_per_call": (r["null_ns"] / nulls - r["clock_ns"]) if nulls else 0.0,
        "late_us_mean": r["late_sum_ns"] / max(1, on_time) / 1000,
    }
