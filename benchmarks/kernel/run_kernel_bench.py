"""The kernel level: N paced TCP flows through sch_eiffel, fq and pfifo.

Runs INSIDE the test VM as root, all qdiscs on the same boot:

    EIFFEL_KO=build/kmod-6.12/sch_eiffel.ko kmod/vm/run 6.12 -- \\
        .venv/bin/python benchmarks/kernel/run_kernel_bench.py --flows 100,1000,5000

(`make -C benchmarks kernel` does this for each kernel and copies the
results to results/kernel/.)  Namespaces bench-a -> bench-b over a veth pair;
the qdisc under test is the root of the sender's veth.  For each N, in a
rotating order of qdiscs, benchmarks/kernel/loadgen sends N TCP flows, each
capped with SO_MAX_PACING_RATE at TOTAL/N, for a warm-up and D seconds to one sink in
bench-b.  Reported per run: achieved rate (bytes acknowledged, tcp_info),
per-flow spread, and system + softirq CPU-seconds of all CPUs (/proc/stat)
per gigabyte acknowledged.  The sink's receive path is in those seconds too,
the same for every qdisc.  Under QEMU/TCG the absolute numbers are
emulation's; compare qdiscs on the same boot.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

A, B, DEV_A, DEV_B = "bench-a", "bench-b", "va", "vb"
IP_A, IP_B, PORT = "10.96.0.1", "10.96.0.2", 5201
LIMIT = 100_000  # packets: no qdisc drops for lack of room at 20,000 flows


def sh(*argv, ns=None, check=True, timeout=300):
    argv = [str(a) for a in argv]
    if ns:
        argv = ["ip", "netns", "exec", ns, *argv]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode:
        raise RuntimeError(f"{' '.join(argv)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p.stdout


def setup(ko: str | None) -> None:
    for mod in ("veth", "sch_fq"):
        sh("modprobe", mod)
    if ko and not os.path.isdir("/sys/module/sch_eiffel"):
        sh("insmod", ko)
    for cmd in (f"ip netns add {A}", f"ip netns add {B}",
                f"ip link add {DEV_A} netns {A} type veth peer name {DEV_B} netns {B}",
                f"ip -n {A} addr add {IP_A}/24 dev {DEV_A}",
                f"ip -n {B} addr add {IP_B}/24 dev {DEV_B}",
                f"ip -n {A} link set {DEV_A} up", f"ip -n {B} link set {DEV_B} up",
                f"ip -n {A} link set lo up", f"ip -n {B} link set lo up"):
        sh(*cmd.split())
    for ns, key, value in ((B, "net.core.somaxconn", "65535"),
                           (B, "net.ipv4.tcp_max_syn_backlog", "65535"),
                           (A, "net.ipv4.ip_local_port_range", "1024 65535")):
        sh("sysctl", "-qw", f"{key}={value}", ns=ns)


def attach(qdisc: str) -> str:
    """Make qdisc the root of the sender's veth; returns its settings."""
    if qdisc == "eiffel":
        from eiffel import netlink

        netlink.replace(DEV_A, netns=A, limit=LIMIT)
    elif qdisc == "fq":
        sh("tc", "qdisc", "replace", "dev", DEV_A, "root", "fq", "limit", LIMIT, ns=A)
    elif qdisc == "pfifo":
        sh("tc", "qdisc", "replace", "dev", DEV_A, "root", "pfifo", "limit", LIMIT, ns=A)
    else:
        raise ValueError(qdisc)
    return sh("tc", "qdisc", "show", "dev", DEV_A, "root", ns=A).strip()


def qdisc_stats() -> dict:
    out = sh("tc", "-s", "qdisc", "show", "dev", DEV_A, "root", ns=A)
    m = re.search(r"Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits (\d+)", out)
    return {"bytes": int(m[1]), "packets": int(m[2]), "drops": int(m[3]), "text": out.strip()}


def one_run(loadgen: Path, qdisc: str, flows: int, args) -> dict:
    settings = attach(qdisc)
    before = qdisc_stats()
    out = sh(loadgen, "send", "-H", IP_B, "-p", PORT, "-n", flows, "-t", args.threads,
             "-r", args.mbit, "-d", args.seconds, "-w", args.warmup, "-b", args.sndbuf, ns=A,
             timeout=args.warmup + args.seconds + 600)
    r = json.loads(out)
    after = qdisc_stats()
    tck = r["clk_tck"]
    j = r["jiffies"]
    cpu_s = (j["system"] + j["softirq"]) / tck
    gb = r["bytes_acked"] / 1e9
    row = {
        "qdisc": qdisc, "flows": flows, "target_mbit": args.mbit, "mbit": r["mbit"],
        "cpu_sys_softirq_s": cpu_s, "cpu_s_per_gb": cpu_s / gb if gb else None,
        "cpu_busy_fraction": 1 - (j["idle"] + j["iowait"]) / max(1, sum(j.values())),
        "flow_mbit": r["flow_mbit"], "bytes_acked": r["bytes_acked"],
        "qdisc_packets": after["packets"] - before["packets"],
        "qdisc_drops": after["drops"] - before["drops"], "settings": settings,
        "qdisc_stats_after": after["text"],
        "loadgen": r,
    }
    print(f"{qdisc:7s} N={flows:6d}  {r['mbit']:8.2f} Mbit/s  cpu {cpu_s:6.2f} s  "
          f"{row['cpu_s_per_gb'] or 0:7.2f} s/GB  busy {row['cpu_busy_fraction']:.2f}  "
          f"drops {row['qdisc_drops']}  connect {r['connect_seconds']:.1f} s", flush=True)
    sh("tc", "qdisc", "del", "dev", DEV_A, "root", ns=A, check=False)
    time.sleep(args.settle)
    return row


TRACING = "/sys/kernel/tracing"
TRACED = {"eiffel": ("eiffel_enqueue", "eiffel_dequeue"), "fq": ("fq_enqueue", "fq_dequeue"),
          "pfifo": ("pfifo_enqueue", "qdisc_dequeue_head")}


def trace(name: str, value: str) -> None:
    with open(os.path.join(TRACING, name), "w") as f:
        f.write(value)


def traced_run(loadgen: Path, qdisc: str, flows: int, args) -> dict | None:
    """The qdisc's own cost in the same TCP workload: ftrace's function_graph
    times each call of its enqueue and dequeue (depth 1); the result is their
    total time per packet sent.  A separate run, as tracing slows the rest."""
    attach(qdisc)
    trace("current_tracer", "nop")
    trace("trace", "")
    try:
        trace("set_ftrace_filter", "\n".join(TRACED[qdisc]))
    except OSError:
        print(f"{qdisc}: cannot trace {TRACED[qdisc]}", flush=True)
        return None
    trace("max_graph_depth", "1")
    trace("buffer_size_kb", "65536")
    trace("current_tracer", "function_graph")
    trace("options/funcgraph-tail", "1")  # name the function on every "}" line
    trace("tracing_on", "0")
    sink_side = subprocess.Popen(
        ["ip", "netns", "exec", A, str(loadgen), "send", "-H", IP_B, "-p", str(PORT), "-n",
         str(flows), "-t", str(args.threads), "-r", str(args.mbit), "-d", str(args.trace_seconds + 2),
         "-w", str(args.warmup), "-b", str(args.sndbuf)], stdout=subprocess.PIPE, text=True)
    # Trace a window inside loadgen's: after the connections and the warm-up.
    time.sleep(0.2)
    while not _window_started(flows):
        time.sleep(0.2)
    time.sleep(args.warmup)
    before = qdisc_stats()
    trace("tracing_on", "1")
    time.sleep(args.trace_seconds)
    trace("tracing_on", "0")
    after = qdisc_stats()
    sink_side.communicate(timeout=600)
    with open(os.path.join(TRACING, "trace")) as f:
        text = f.read()
    trace("current_tracer", "nop")
    trace("set_ftrace_filter", "")
    sh("tc", "qdisc", "del", "dev", DEV_A, "root", ns=A, check=False)
    # A call is one line "D us | f();", or, when an interrupt nested in it,
    # "f() {" ... "D us | } /* f */".
    calls: dict[str, list[float]] = {}
    for m in re.finditer(r"([\d.]+) us\s+\|\s+(?:(\w+)(?:\.\w+)?(?: \[\w+\])?\(\);"
                         r"|\} /\* (\w+)(?:\.\w+)?(?: \[\w+\])? \*/)", text):
        calls.setdefault(m.group(2) or m.group(3), []).append(float(m.group(1)))
    packets = after["packets"] - before["packets"]
    # The trace can lose events (TCG is slow to drain it): per packet is
    # the mean enqueue plus the mean dequeue times dequeues per enqueue.
    enq, deq = (calls.get(f, []) for f in TRACED[qdisc])
    per_packet = (sum(enq) / len(enq) + sum(deq) / len(enq)) if enq else None
    row = {"qdisc": qdisc, "flows": flows, "packets": packets, "enqueues_traced": len(enq),
           "us_per_packet": per_packet,
           "calls": {f: {"n": len(v), "mean_us": sum(v) / len(v)} for f, v in calls.items()},
           "lost_events": "LOST" in text}
    print(f"trace {qdisc:7s} N={flows:6d}  packets {packets:7d}  "
          f"{row['us_per_packet'] or 0:6.2f} us/packet  {row['calls']}", flush=True)
    time.sleep(args.settle)
    return row


def _window_started(flows: int) -> bool:
    """All flows connected and the warm-up begun: ESTABLISHED sockets in bench-a."""
    out = sh("ss", "-Htn", "state", "established", ns=A)
    return out.count("\n") >= flows


def trace_table(rows: list[dict], kernel: str) -> str:
    lines = [f"Kernel {kernel}: the qdisc's own time per enqueued skb: mean enqueue + mean "
             "dequeue x dequeue calls per enqueue (ftrace function_graph, separate runs; "
             "a TCP skb may hold several segments).", "",
             "| N | qdisc | segments sent | enqueues traced | dequeues per enqueue | us per skb | vs fq |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    fq = {r["flows"]: r["us_per_packet"] for r in rows if r["qdisc"] == "fq"}
    for r in sorted(rows, key=lambda r: (r["flows"], r["qdisc"])):
        cost = r["us_per_packet"]
        ratio = f"{cost / fq[r['flows']]:.2f}" if cost and fq.get(r["flows"]) else ""
        deq = [v["n"] for f, v in r["calls"].items() if f.endswith("dequeue") or "dequeue" in f]
        per = f"{deq[0] / r['enqueues_traced']:.1f}" if deq and r["enqueues_traced"] else ""
        lines.append(f"| {r['flows']} | {r['qdisc']} | {r['packets']} | {r['enqueues_traced']} | "
                     f"{per} | {cost:.1f} | {ratio} |" if cost else
                     f"| {r['flows']} | {r['qdisc']} | {r['packets']} | 0 | | | |")
    return "\n".join(lines) + "\n"


def table(rows: list[dict], kernel: str) -> str:
    lines = [f"Kernel {kernel}: system + softirq CPU-seconds (all CPUs) per GB acknowledged, "
             "achieved rate; median over repeats.", "",
             "| N | qdisc | Mbit/s | per-flow Mbit/s min / median / max | CPU s/GB | vs fq | CPUs busy | drops |",
             "|---:|---|---:|---|---:|---:|---:|---:|"]
    by = {}
    for r in rows:
        by.setdefault((r["flows"], r["qdisc"]), []).append(r)

    def med(xs):
        return statistics.median(xs)

    for n in sorted({r["flows"] for r in rows}):
        fq = by.get((n, "fq"))
        fq_cost = med([r["cpu_s_per_gb"] for r in fq]) if fq else None
        for q in ("eiffel", "fq", "pfifo"):
            rs = by.get((n, q))
            if not rs:
                continue
            cost = med([r["cpu_s_per_gb"] for r in rs])
            f = rs[0]["flow_mbit"]
            ratio = f"{cost / fq_cost:.2f}" if fq_cost else ""
            lines.append(f"| {n} | {q} | {med([r['mbit'] for r in rs]):.1f} | "
                         f"{f['min']:.3f} / {f['median']:.3f} / {f['max']:.3f} | "
                         f"{cost:.2f} | {ratio} | {med([r['cpu_busy_fraction'] for r in rs]):.0%} | "
                         f"{sum(r['qdisc_drops'] for r in rs)} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flows", default="100,1000,5000")
    ap.add_argument("--qdiscs", default="eiffel,fq,pfifo")
    ap.add_argument("--mbit", type=float, default=200, help="aggregate pacing rate")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=3, help="seconds sent before the window")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--sndbuf", type=int, default=32768)
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("--trace", default="eiffel,fq",
                    help="qdiscs whose enqueue/dequeue are timed with ftrace ('' for none)")
    ap.add_argument("--trace-seconds", type=float, default=3)
    ap.add_argument("--loadgen", default=str(HERE / "loadgen"))
    ap.add_argument("--out", default=os.environ.get("EIFFEL_VM_RESULTS", "."))
    args = ap.parse_args()
    kernel = os.environ.get("EIFFEL_KERNEL") or os.uname().release
    qdiscs = [q for q in args.qdiscs.split(",") if q]
    setup(os.environ.get("EIFFEL_KO") if "eiffel" in qdiscs else None)
    sink = subprocess.Popen(["ip", "netns", "exec", B, args.loadgen, "sink", "-p", str(PORT),
                             "-t", str(args.threads)], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    rows, traced = [], []
    try:
        turn = 0
        for n in [int(x) for x in args.flows.split(",")]:
            for _ in range(args.repeats):
                order = qdiscs[turn % len(qdiscs):] + qdiscs[:turn % len(qdiscs)]
                turn += 1
                for q in order:
                    rows.append(one_run(Path(args.loadgen), q, n, args))
            for q in [q for q in args.trace.split(",") if q]:
                try:
                    r = traced_run(Path(args.loadgen), q, n, args)
                except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                    print(f"trace {q} N={n} failed: {e}", flush=True)
                    r = None
                if r:
                    traced.append(r)
    finally:
        sink.terminate()
        sink.wait(timeout=30)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {"kernel": kernel, "uname": os.uname().release, "cpus": os.cpu_count(),
            "accel": os.environ.get("EIFFEL_VM_ACCEL", "tcg,thread=single"),
            "args": {k: v for k, v in vars(args).items() if k not in ("loadgen", "out")}}
    (out / f"kernel-{kernel}.json").write_text(json.dumps({"meta": meta, "runs": rows,
                                                               "traced": traced}, indent=1))
    md = table(rows, kernel) + ("\n" + trace_table(traced, kernel) if traced else "")
    (out / f"kernel-{kernel}.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
