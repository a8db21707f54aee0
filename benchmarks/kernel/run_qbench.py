"""The qdisc's own cost: synthetic skbs through sch_eiffel, fq and pfifo.

Runs INSIDE the test VM as root, every qdisc on the same boot:

    EIFFEL_KO=build/kmod-6.12/sch_eiffel.ko \\
    EIFFEL_QBENCH_KO=build/qbench-6.12/eiffel_qbench.ko kmod/vm/run 6.12 -- \\
        .venv/bin/python benchmarks/kernel/run_qbench.py --flows 100,1000,5000,20000,50000

(`make -C benchmarks qbench` does this for each kernel and copies the
results to results/kernel/.)  For each round and N, the qdiscs take turns
in a rotating order; each run gets a fresh root qdisc on a dummy device and
eiffel_qbench.ko drives it (see qbench/eiffel_qbench.c): N flows of --pkts
packets with future send times, enqueued round-robin, then drained as they
fall due.  Reported: median over rounds of ns per enqueue, per successful
dequeue, NULL dequeues per packet and their cost, and the checks (drops,
early packets, counters).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import qbench  # noqa: E402
import report_vm  # noqa: E402


def schedule(flows: int, pkts: int, args) -> dict:
    """Send times for N flows: a gap per flow wide enough that the drain can
    keep up under emulation (the whole span lasts ~gap * pkts), and a lead
    long enough that no packet is due before the enqueue finishes."""
    gap_us = max(args.min_gap_us, flows * args.us_per_flow)
    lead_us = min(5_000_000, args.min_lead_us + flows * pkts * args.lead_us_per_pkt)
    return {"flows": flows, "pkts": pkts, "gap_us": gap_us, "lead_us": lead_us,
            "poll_us": args.poll_us, "pkt_len": args.pkt_len, "seed": args.seed}


def one_run(qdisc: str, flows: int, rnd: int, args) -> dict:
    pkts = args.pkts
    settings = qbench.attach(qdisc, limit=flows * pkts + 1000, flow_limit=max(100, 2 * pkts),
                             buckets=args.buckets)
    params = schedule(flows, pkts, args)
    t0 = time.monotonic()
    row = qbench.run_once(**params)
    row.update(round=rnd, settings=settings, wall_s=time.monotonic() - t0)
    qbench.sh("tc", "qdisc", "del", "dev", qbench.DEV, "root", check=False)
    print(f"r{rnd} {qdisc:6s} N={flows:6d} enq {row['enq_ns_per_pkt']:8.0f} "
          f"deq {row['deq_ns_per_pkt']:8.0f} ns/pkt  NULL {row['null_per_pkt']:6.2f}/pkt "
          f"{row['null_ns_per_call']:7.0f} ns  held {row['held']:5d}  early {row['early']}  "
          f"drops {row['dropped']}  due@start {row['due_at_start']}  "
          f"start+{row['start_late_ns'] / 1000:.0f} us  late "
          f"{row['late_us_mean']:7.1f} us  clock {row['clock_ns']} ns  {row['wall_s']:.1f} s", flush=True)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flows", default="100,1000,5000,20000")
    ap.add_argument("--qdiscs", default=",".join(qbench.QDISCS))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pkts", type=int, default=4, help="packets per flow")
    ap.add_argument("--pkt-len", type=int, default=1514, help="bytes accounted per packet")
    ap.add_argument("--buckets", type=int, default=None,
                    help="flow hash table size for fq and eiffel (default: theirs, 1024)")
    ap.add_argument("--poll-us", type=int, default=20)
    ap.add_argument("--min-gap-us", type=int, default=2000)
    ap.add_argument("--us-per-flow", type=int, default=20,
                    help="per-flow gap = max(min-gap, N * this)")
    ap.add_argument("--min-lead-us", type=int, default=20000)
    ap.add_argument("--lead-us-per-pkt", type=int, default=25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.environ.get("EIFFEL_VM_RESULTS", "."))
    args = ap.parse_args()
    kernel = os.environ.get("EIFFEL_KERNEL") or os.uname().release
    qdiscs = [q for q in args.qdiscs.split(",") if q]
    ko = os.environ.get("EIFFEL_QBENCH_KO")
    if not ko:
        print("EIFFEL_QBENCH_KO is not set (kmod/vm/build-module with "
              "EIFFEL_KMOD_SRC=benchmarks/kernel/qbench)", file=sys.stderr)
        return 2
    qbench.setup(ko, os.environ.get("EIFFEL_KO") if "eiffel" in qdiscs else None)
    rows = []
    turn = 0
    try:
        for rnd in range(args.rounds):
            for n in [int(x) for x in args.flows.split(",")]:
                order = qdiscs[turn % len(qdiscs):] + qdiscs[:turn % len(qdiscs)]
                turn += 1
                for q in order:
                    rows.append(one_run(q, n, rnd, args))
    finally:
        qbench.teardown()
    from report_qbench import table

    report_vm.save(Path(args.out), "qbench", kernel, rows, table,
                   {k: v for k, v in vars(args).items() if k != "out"},
                   clock_ns=statistics.median(r["clock_ns"] for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
