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
per gigabyte acknowledged, the TCP counters of the sender (retransmits,
timeouts), the softirqs raised, and the calls of the qdisc's enqueue and
dequeue (kprobe hit counts); for eiffel also its xstats.  The sink's receive
path is in those seconds too, the same for every qdisc.  The qdisc's own
cost per packet, without TCP, is run_qbench.py's job.  Under QEMU/TCG the absolute numbers are
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
sys.path.insert(0, str(HERE))
import report_vm  # noqa: E402

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


def teardown() -> None:
    """Delete the namespaces (and with them the veth pair and its qdisc)."""
    for ns in (A, B):
        sh("ip", "netns", "del", ns, check=False)


def setup(ko: str | None) -> None:
    teardown()  # leftovers of an interrupted run
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
        from eiffel.qdisc import netlink

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


def tcp_counters() -> dict[str, int]:
    """The sender namespace's TCP counters (/proc/net/snmp and netstat):
    segments sent, retransmitted, timeouts and the like."""
    out: dict[str, int] = {}
    for name in ("snmp", "netstat"):
        lines = sh("cat", f"/proc/net/{name}", ns=A).splitlines()
        for head, values in zip(lines[::2], lines[1::2]):
            prefix, keys = head.split(":", 1)
            if prefix not in ("Tcp", "TcpExt"):
                continue
            for k, v in zip(keys.split(), values.split(":", 1)[1].split()):
                out[k] = int(v)
    return out


TCP_KEYS = ("OutSegs", "RetransSegs", "TCPTimeouts", "TCPLossProbes", "TCPSpuriousRTOs",
            "TCPSynRetrans")


TRACING = "/sys/kernel/tracing"
# Each qdisc's enqueue and dequeue, as named in /proc/kallsyms.  Not pfifo:
# while it is empty the stack bypasses it (TCQ_F_CAN_BYPASS), and its
# dequeue, qdisc_dequeue_head(), is inlined: it has no symbol.
QDISC_FUNCS = {"eiffel": ("eiffel_enqueue", "eiffel_dequeue"),
               "fq": ("fq_enqueue", "fq_dequeue")}


def trace(name: str, value: str) -> None:
    with open(os.path.join(TRACING, name), "w") as f:
        f.write(value)


def softirqs() -> dict[str, int]:
    """NET_TX (qdisc runs), NET_RX and HRTIMER softirqs, summed over CPUs."""
    out = {}
    with open("/proc/softirqs") as f:
        for line in f:
            name, *counts = line.split()
            if name.rstrip(":") in ("NET_TX", "NET_RX", "HRTIMER", "TIMER"):
                out[name.rstrip(":")] = sum(int(c) for c in counts)
    return out


class CallCounter:
    """Counts calls of the qdisc's enqueue and dequeue with kprobes
    (tracefs kprobe_profile hit counts: no events are recorded, none lost)."""

    GROUP = "eiffel_bench"

    def __init__(self, qdisc: str):
        self.funcs = QDISC_FUNCS.get(qdisc, ())
        self.ok = False
        if not self.funcs:
            return
        try:
            for fn in self.funcs:
                self._events(f"p:{self.GROUP}/{fn} {fn}")
            trace(f"events/{self.GROUP}/enable", "1")
            self.ok = True
        except OSError as e:
            print(f"kprobes on {self.funcs}: {e}", flush=True)
            self.close()

    @staticmethod
    def _events(line: str) -> None:
        # Appends without truncating the other probes; os.open, because
        # Python's append mode seeks, which tracefs refuses.
        fd = os.open(os.path.join(TRACING, "kprobe_events"), os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)

    def hits(self) -> dict[str, int]:
        if not self.ok:
            return {}
        out = {}
        with open(os.path.join(TRACING, "kprobe_profile")) as f:
            for line in f:
                name, hits, _missed = line.split()
                out[name.split("/")[-1]] = int(hits)
        return {fn: out.get(fn, 0) for fn in self.funcs}

    def close(self) -> None:
        try:
            trace(f"events/{self.GROUP}/enable", "0")
        except OSError:
            pass
        for fn in self.funcs:
            try:
                self._events(f"-:{self.GROUP}/{fn}")
            except OSError:
                pass


def eiffel_xstats() -> dict | None:
    from eiffel.qdisc import netlink

    try:
        return netlink.stats(DEV_A, netns=A)
    except OSError as e:
        print(f"eiffel xstats: {e}", flush=True)
        return None


def one_run(loadgen: Path, qdisc: str, flows: int, args) -> dict:
    settings = attach(qdisc)
    before = qdisc_stats()
    tcp_before = tcp_counters()
    soft_before = softirqs()
    counter = CallCounter(qdisc)
    out = sh(loadgen, "send", "-H", IP_B, "-p", PORT, "-n", flows, "-t", args.threads,
             "-r", args.mbit, "-d", args.seconds, "-w", args.warmup, "-b", args.sndbuf, ns=A,
             timeout=args.warmup + args.seconds + 600)
    r = json.loads(out)
    after = qdisc_stats()
    tcp_after = tcp_counters()
    soft_after = softirqs()
    calls = counter.hits()
    counter.close()
    xstats = eiffel_xstats() if qdisc == "eiffel" else None
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
        "tcp": {k: tcp_after.get(k, 0) - tcp_before.get(k, 0) for k in TCP_KEYS},
        "softirqs": {k: soft_after[k] - soft_before.get(k, 0) for k in soft_after},
        "calls": calls,
        "loadgen": r,
    }
    if xstats:
        row["eiffel_xstats"] = xstats
    print(f"{qdisc:7s} N={flows:6d}  {r['mbit']:8.2f} Mbit/s  cpu {cpu_s:6.2f} s  "
          f"{row['cpu_s_per_gb'] or 0:7.2f} s/GB  busy {row['cpu_busy_fraction']:.2f}  "
          f"drops {row['qdisc_drops']}  connect {r['connect_seconds']:.1f} s\n    tcp {row['tcp']}\n"
          f"    softirqs {row['softirqs']}  calls {calls}",
          flush=True)
    sh("tc", "qdisc", "del", "dev", DEV_A, "root", ns=A, check=False)
    time.sleep(args.settle)
    return row


def table(rows: list[dict], kernel: str) -> str:
    lines = [f"Kernel {kernel}: achieved rate and system + softirq CPU-seconds (all CPUs) per GB "
             "acknowledged, median over repeats (range in brackets); the qdisc's dequeue calls "
             "per enqueue call (kprobe hit counts).", "",
             "| N | qdisc | Mbit/s | per-flow Mbit/s min / median / max | CPU s/GB | vs fq "
             "| CPUs busy | dequeues per enqueue | drops |",
             "|---:|---|---:|---|---:|---:|---:|---:|---:|"]
    by = {}
    for r in rows:
        by.setdefault((r["flows"], r["qdisc"]), []).append(r)

    def med(xs):
        return statistics.median(xs)

    def spread(xs, fmt):
        return f"{fmt.format(med(xs))} [{fmt.format(min(xs))}–{fmt.format(max(xs))}]" \
            if len(xs) > 1 else fmt.format(xs[0])

    for n in sorted({r["flows"] for r in rows}):
        fq = by.get((n, "fq"))
        fq_cost = med([r["cpu_s_per_gb"] for r in fq]) if fq else None
        for q in ("eiffel", "fq", "pfifo"):
            rs = by.get((n, q))
            if not rs:
                continue
            costs = [r["cpu_s_per_gb"] for r in rs]
            f = rs[0]["flow_mbit"]
            ratio = f"{med(costs) / fq_cost:.2f}" if fq_cost else ""
            per = [c[1] / c[0] for c in (list(r.get("calls", {}).values()) for r in rs)
                   if len(c) == 2 and c[0]]
            per_text = f"{med(per):.2f}" if per else ""
            lines.append(f"| {n} | {q} | {spread([r['mbit'] for r in rs], '{:.1f}')} | "
                         f"{f['min']:.3f} / {f['median']:.3f} / {f['max']:.3f} | "
                         f"{spread(costs, '{:.1f}')} | {ratio} | "
                         f"{med([r['cpu_busy_fraction'] for r in rs]):.0%} | {per_text} | "
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
    ap.add_argument("--loadgen", default=str(HERE / "loadgen"))
    ap.add_argument("--out", default=os.environ.get("EIFFEL_VM_RESULTS", "."))
    args = ap.parse_args()
    kernel = os.environ.get("EIFFEL_KERNEL") or os.uname().release
    qdiscs = [q for q in args.qdiscs.split(",") if q]
    setup(os.environ.get("EIFFEL_KO") if "eiffel" in qdiscs else None)
    sink = subprocess.Popen(["ip", "netns", "exec", B, args.loadgen, "sink", "-p", str(PORT),
                             "-t", str(args.threads)], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    rows = []
    try:
        turn = 0
        for n in [int(x) for x in args.flows.split(",")]:
            for _ in range(args.repeats):
                order = qdiscs[turn % len(qdiscs):] + qdiscs[:turn % len(qdiscs)]
                turn += 1
                for q in order:
                    rows.append(one_run(Path(args.loadgen), q, n, args))
    finally:
        sink.terminate()
        sink.wait(timeout=30)
        teardown()
    report_vm.save(Path(args.out), "kernel", kernel, rows, table,
                   {k: v for k, v in vars(args).items() if k not in ("loadgen", "out")})
    return 0


if __name__ == "__main__":
    sys.exit(main())
