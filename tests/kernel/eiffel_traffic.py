"""Traffic tools for the sch_eiffel kernel tests, run inside a network
namespace as ``ip netns exec NS python eiffel_traffic.py COMMAND ...``.

Each command prints one JSON object on stdout:

  blast DST PORT0 FLOWS COUNT SIZE [HOLD_NS]
      COUNT UDP datagrams of SIZE bytes on each of FLOWS connected sockets
      (ports PORT0..PORT0+FLOWS-1), as fast as possible, round robin.  With
      HOLD_NS, every datagram gets the SO_TXTIME departure time start +
      HOLD_NS, so an EDT qdisc holds them all until then (counters frozen).
      -> {"sent": N, "txtime": T}   (datagrams the kernel accepted, that is
      what reached the qdisc; T the departure time or 0)
  spray DST PORT0 N
      One UDP datagram to each of ports PORT0..PORT0+N-1 from one
      unconnected socket (sendto): socketless flows, told apart by hash.
      -> {"sent": N}
  txtime-send DST PORT SPEC
      UDP datagrams with SO_TXTIME / SCM_TXTIME (CLOCK_MONOTONIC) departure
      times; SPEC is a JSON list of [socket, delay_ns] (socket 0 is connected,
      socket 1 is unconnected and uses sendto); the payload carries the
      sequence number and the txtime.  -> {"sent": [[seq, txtime_ns], ...]}
  txtime-recv PORT COUNT TIMEOUT
      Receive up to COUNT datagrams (stop after TIMEOUT s of silence, or 60 s
      before the first) with
      kernel receive timestamps.  -> {"got": [[seq, txtime, rx_kernel_mono,
      rx_user_mono], ...], "clock_uncertainty_ns": U}; rx_kernel_mono is the
      kernel's arrival time (SO_TIMESTAMPNS, CLOCK_REALTIME) moved to
      CLOCK_MONOTONIC, to within U.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import time

SO_TXTIME = getattr(socket, "SO_TXTIME", 61)
SCM_TXTIME = SO_TXTIME
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
SCM_TIMESTAMPNS = SO_TIMESTAMPNS
CLOCK_MONOTONIC = time.CLOCK_MONOTONIC
PAYLOAD = struct.Struct("=QQ")  # sequence number, txtime (ns)
FIRST_TIMEOUT = 60.0


def blast(dst: str, port0: int, flows: int, count: int, size: int, hold_ns: int = 0) -> dict:
    socks = []
    for i in range(flows):
        s = _txtime_socket() if hold_ns else socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect((dst, port0 + i))
        socks.append(s)
    payload = b"x" * size
    txtime = time.clock_gettime_ns(CLOCK_MONOTONIC) + hold_ns if hold_ns else 0
    cmsg = [(socket.SOL_SOCKET, SCM_TXTIME, struct.pack("=Q", txtime))] if hold_ns else []
    sent = 0
    for _ in range(count):
        for s in socks:
            try:
                s.sendmsg([payload], cmsg)
                sent += 1
            except OSError:
                pass  # refused before the qdisc (ICMP unreachable): not counted
    return {"sent": sent, "txtime": txtime}


def spray(dst: str, port0: int, n: int, rounds: int = 1, pause: float = 0.0) -> dict:
    """One unconnected socket sends to n ports (n hash flows), rounds times,
    pausing in between: later rounds are the same flows again."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for r in range(rounds):
        if r:
            time.sleep(pause)
        for i in range(n):
            s.sendto(b"spray", (dst, port0 + i))
    return {"sent": n * rounds}


def _txtime_socket() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # struct sock_txtime { clockid_t clockid; __u32 flags; }
    s.setsockopt(socket.SOL_SOCKET, SO_TXTIME, struct.pack("=iI", CLOCK_MONOTONIC, 0))
    return s


def txtime_send(dst: str, port: int, spec: list) -> dict:
    connected, unconnected = _txtime_socket(), _txtime_socket()
    connected.connect((dst, port))
    sent = []
    for seq, (which, delay_ns) in enumerate(spec):
        txtime = time.clock_gettime_ns(CLOCK_MONOTONIC) + delay_ns
        cmsg = [(socket.SOL_SOCKET, SCM_TXTIME, struct.pack("=Q", txtime))]
        data = PAYLOAD.pack(seq, txtime)
        if which == 0:
            connected.sendmsg([data], cmsg)
        else:
            unconnected.sendmsg([data], cmsg, 0, (dst, port))
        sent.append([seq, txtime])
    return {"sent": sent}


def _realtime_minus_monotonic() -> tuple[int, int]:
    """CLOCK_REALTIME - CLOCK_MONOTONIC, and how uncertain that is (ns)."""
    best = None
    for _ in range(9):
        a = time.clock_gettime_ns(CLOCK_MONOTONIC)
        r = time.clock_gettime_ns(time.CLOCK_REALTIME)
        b = time.clock_gettime_ns(CLOCK_MONOTONIC)
        if best is None or b - a < best[0]:
            best = (b - a, r - (a + b) // 2)
    return best[1], best[0]


def txtime_recv(port: int, count: int, timeout: float) -> dict:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind(("0.0.0.0", port))
    # The first datagram may take a while (the sender is a new process).
    s.settimeout(max(timeout, FIRST_TIMEOUT))
    # Tell the sender we are ready (it waits for this line).
    print("ready", file=sys.stderr, flush=True)
    offset, uncertainty = _realtime_minus_monotonic()
    got = []
    while len(got) < count:
        if got:
            s.settimeout(timeout)
        try:
            data, ancdata, _, _ = s.recvmsg(64, socket.CMSG_SPACE(16))
        except socket.timeout:
            break
        rx_user = time.clock_gettime_ns(CLOCK_MONOTONIC)
        rx_kernel = None
        for level, kind, value in ancdata:
            if level == socket.SOL_SOCKET and kind == SCM_TIMESTAMPNS:
                sec, nsec = struct.unpack("=qq", value[:16])
                rx_kernel = sec * 1_000_000_000 + nsec - offset
        seq, txtime = PAYLOAD.unpack(data[: PAYLOAD.size])
        got.append([seq, txtime, rx_kernel, rx_user])
    return {"got": got, "clock_uncertainty_ns": uncertainty}


def main(argv: list[str]) -> None:
    cmd, args = argv[0], argv[1:]
    if cmd == "blast":
        dst, port0, flows, count, size, *hold = args
        out = blast(dst, int(port0), int(flows), int(count), int(size), int(hold[0]) if hold else 0)
    elif cmd == "spray":
        dst, port0, n, *more = args
        rounds, pause = (int(more[0]), float(more[1])) if more else (1, 0.0)
        out = spray(dst, int(port0), int(n), rounds, pause)
    elif cmd == "txtime-send":
        dst, port, spec = args
        out = txtime_send(dst, int(port), json.loads(spec))
    elif cmd == "txtime-recv":
        port, count, timeout = args
        out = txtime_recv(int(port), int(count), float(timeout))
    else:
        raise SystemExit(f"unknown command {cmd!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
