"""Per-packet CPU cost of sch_eiffel against sch_fq with many paced flows.

A quick look, not a test and not the full benchmark: run it as root in the
test VM, e.g.

    EIFFEL_KO=build/kmod-6.12/sch_eiffel.ko \\
        kmod/vm/run 6.12 -- .venv/bin/python tests/kernel/bench_qdisc_cost.py 1000

FLOWS connected UDP sockets in one namespace each send a 100-byte datagram
per pacing interval to the other namespace, through a qdisc on the veth
whose maxrate paces every flow (every packet is throttled once: the path
the cFFS replaces fq's rb-tree on).  ftrace's function_graph tracer times
each call of the qdisc's enqueue and dequeue (depth 1); the result is their
total time divided by the packets sent, alternating fq and eiffel on the
same boot (the first round of each warms up).  Under QEMU/TCG the absolute
microseconds are emulation's, only the comparison means something.
"""

from __future__ import annotations

import ctypes
import os
import re
import socket
import subprocess
import sys
import time

from eiffel.qdisc import netlink

TRACING = "/sys/kernel/tracing"
RATE = 500  # bytes/s per flow: a 142-byte frame every 284 ms
SECONDS = 6
ROUNDS = ("fq", "eiffel") * 3
CLONE_NEWNET = 0x40000000


def sh(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def trace(name: str, value: str) -> None:
    with open(os.path.join(TRACING, name), "w") as f:
        f.write(value)


def setup() -> None:
    sh("modprobe", "veth")
    sh("modprobe", "sch_fq")
    if not os.path.isdir("/sys/module/sch_eiffel"):
        sh("insmod", os.environ["EIFFEL_KO"])
    for cmd in ("ip netns add bench-a", "ip netns add bench-b",
                "ip link add va netns bench-a type veth peer name vb netns bench-b",
                "ip -n bench-a addr add 10.97.0.1/24 dev va",
                "ip -n bench-b addr add 10.97.0.2/24 dev vb",
                "ip -n bench-a link set va up", "ip -n bench-b link set vb up",
                "ip netns exec bench-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1"):
        sh(*cmd.split())
    mac = sh("ip", "netns", "exec", "bench-b", "cat", "/sys/class/net/vb/address").strip()
    sh(*f"ip -n bench-a neigh replace 10.97.0.2 lladdr {mac} dev va nud permanent".split())
    # Senders and tc run inside bench-a from here on.
    fd = os.open("/run/netns/bench-a", os.O_RDONLY)
    if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def sent_packets() -> int:
    out = sh("tc", "-s", "qdisc", "show", "dev", "va", "root")
    return int(re.search(r"Sent \d+ bytes (\d+) pkt", out).group(1))


def one_round(kind: str, flows: int) -> float:
    if kind == "eiffel":
        netlink.replace("va", maxrate=RATE, limit=100000)
        functions = ("eiffel_enqueue", "eiffel_dequeue")
    else:
        sh(*f"tc qdisc replace dev va root fq maxrate {RATE * 8}bit limit 100000".split())
        functions = ("fq_enqueue", "fq_dequeue")
    socks = []
    for i in range(flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        s.connect(("10.97.0.2", 20000 + i))
        socks.append(s)
    trace("current_tracer", "nop")
    trace("trace", "")
    trace("set_ftrace_filter", "\n".join(functions))
    trace("max_graph_depth", "1")
    trace("buffer_size_kb", "65536")
    trace("current_tracer", "function_graph")
    before = sent_packets()
    trace("tracing_on", "1")
    interval = (100 + 42) / RATE
    start = deadline = time.monotonic()
    while time.monotonic() - start < SECONDS:
        for s in socks:
            try:
                s.send(b"x" * 100)
            except OSError:
                pass
        deadline += interval
        time.sleep(max(0.0, deadline - time.monotonic()))
    trace("tracing_on", "0")
    packets = sent_packets() - before
    with open(os.path.join(TRACING, "trace")) as f:
        text = f.read()
    trace("current_tracer", "nop")
    for s in socks:
        s.close()
    calls: dict[str, list[float]] = {}
    for m in re.finditer(r"([\d.]+) us\s+\|\s+(\w+)(?: \[\w+\])?\(\);", text):
        calls.setdefault(m.group(2), []).append(float(m.group(1)))
    per_call = {f: (len(v), round(sum(v) / len(v), 2)) for f, v in calls.items()}
    cost = sum(sum(v) for v in calls.values()) / max(packets, 1)
    print(f"{kind:7s} packets {packets:6d}  us/packet {cost:6.2f}  calls(n, us) {per_call}",
          flush=True)
    time.sleep(1)
    return cost


def main() -> None:
    flows = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    setup()
    costs: dict[str, list[float]] = {}
    for i, kind in enumerate(ROUNDS):
        cost = one_round(kind, flows)
        if i >= 2:  # the first round of each warms up
            costs.setdefault(kind, []).append(cost)
    for kind, values in costs.items():
        print(f"{kind}: {flows} paced flows, {sum(values) / len(values):.2f} us/packet "
              f"(mean of {len(values)})")


if __name__ == "__main__":
    main()
