"""Traffic helpers of the band tests: concurrent iperf3 flows, UDP RTT probes,
and `eiffel dscp mark` / `eiffel qdisc` run as commands in the guest."""

from __future__ import annotations

import os
import statistics
import sys
import threading
from pathlib import Path

from conftest import iperf3, modprobe_intree, run

VENV_BIN = Path(sys.executable).parent
ENV = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}")


# What the host's iptables (iptables-nft) needs for `eiffel dscp mark`'s
# mangle rules; the guest has no automatic module loading for them.
# crc32c_generic first: libcrc32c (under nf_tables) fails to load without it.
NETFILTER_MODULES = ("crc32c_generic", "nfnetlink", "nf_tables", "nft_compat", "x_tables", "xt_tcpudp",
                     "xt_comment", "xt_DSCP")


def load_netfilter():
    for name in NETFILTER_MODULES:
        modprobe_intree(name)


def eiffel(*words, ns=None, check=True):
    """Run the `eiffel` command (the venv's), optionally in namespace ns."""
    return run([str(VENV_BIN / "eiffel"), *words], ns=ns, check=check, env=ENV)


def concurrent_iperf3(client_ns, server_ip, flows, seconds):
    """flows: {port: extra iperf3 args}.  Runs them at once; {port: JSON}."""
    results, errors = {}, []

    def one(port, extra):
        try:
            results[port] = iperf3(client_ns, server_ip, seconds, extra, port=port)
        except Exception as err:  # noqa: BLE001 - re-raised below
            errors.append(err)

    threads = [threading.Thread(target=one, args=(p, e)) for p, e in flows.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def received_bps(result):
    return result["end"]["sum_received"]["bits_per_second"]


UDP_ECHO = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
print("ready", flush=True)
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)
"""

UDP_PROBE = """
import socket, sys, time
host, port, count, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
rtts = []
for i in range(count):
    t0 = time.monotonic()
    s.sendto(str(i).encode(), (host, port))
    try:
        while s.recv(2048) != str(i).encode():
            pass
        rtts.append((time.monotonic() - t0) * 1000)
    except socket.timeout:
        rtts.append(1000.0)
    time.sleep(gap)
print(" ".join(f"{r:.3f}" for r in rtts))
"""


class UdpEcho:
    """A UDP echo server in namespace ns on port (a subprocess)."""

    def __init__(self, ns, port):
        import subprocess

        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, sys.executable, "-c", UDP_ECHO, str(port)],
            stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout.readline().strip() == "ready"

    def close(self):
        self.proc.kill()
        self.proc.wait()


def probe_rtts_ms(ns, host, port, count=20, gap=0.1):
    """RTTs in ms of count UDP probes (1000 ms for a lost one)."""
    out = run([sys.executable, "-c", UDP_PROBE, host, port, count, gap], ns=ns,
              timeout=count * (gap + 1) + 30).stdout
    return [float(v) for v in out.split()]


def median(values):
    return statistics.median(values)
