"""Packet traces: a numpy structured array and the columns policies read.

Units: times in integer nanoseconds, sizes in bytes, rates in bits per
second.  One row per packet, in arrival order:

    time      int64   arrival time (ns)
    flow      int64   flow id (any non-negative int)
    size      int32   bytes on the wire, > 0
    dscp      uint8   DSCP codepoint (0-63)
    cls       uint8   traffic class (strict-priority band, HPFQ class...)
    deadline  int64   absolute deadline (ns) or -1 for none
"""

import numpy as np

from eiffel.dscp import DSCP_COUNT

__all__ = ["PACKET_DTYPE", "Trace", "make_packets", "NO_DEADLINE"]

PACKET_DTYPE = np.dtype(
    [
        ("time", "<i8"),
        ("flow", "<i8"),
        ("size", "<i4"),
        ("dscp", "u1"),
        ("cls", "u1"),
        ("deadline", "<i8"),
    ]
)
NO_DEADLINE = -1


def make_packets(time, flow, size, *, dscp=0, cls=0, deadline=NO_DEADLINE):
    """Build a packet array from columns (scalars broadcast)."""
    time = np.asarray(time, dtype=np.int64)
    packets = np.zeros(len(time), dtype=PACKET_DTYPE)
    packets["time"] = time
    packets["flow"] = flow
    packets["size"] = size
    packets["dscp"] = dscp
    packets["cls"] = cls
    packets["deadline"] = deadline
    return packets


def _first_bad(mask):
    return int(np.flatnonzero(mask)[0])


class Trace:
    """A validated packet array plus derived per-packet and per-flow columns.

    Derived columns (computed once, vectorised):
      flow_bytes  total bytes of the packet's flow in the trace
      remaining   bytes of the flow from this packet on, itself included
                  (what pFabric stamps in a packet: remaining flow size)
      attained    bytes of the flow before this packet (LAS's attained service)
      seq         the packet's position within its flow
    """

    def __init__(self, packets):
        packets = np.asarray(packets)
        if packets.dtype != PACKET_DTYPE:
            missing = set(PACKET_DTYPE.names) - set(packets.dtype.names or ())
            if missing:
                raise ValueError(
                    f"a trace needs the fields {', '.join(PACKET_DTYPE.names)};"
                    f" missing {', '.join(sorted(missing))}"
                )
            converted = np.zeros(len(packets), dtype=PACKET_DTYPE)
            for name in PACKET_DTYPE.names:
                converted[name] = packets[name]
            packets = converted
        if packets.ndim != 1:
            raise ValueError(f"a trace is one-dimensional, not of shape {packets.shape}")
        self._validate(packets)
        self.packets = packets
        self._columns = {}
        self._derive()

    @staticmethod
    def _validate(packets):
        if len(packets) == 0:
            return
        time = packets["time"]
        if time[0] < 0:
            raise ValueError(f"packet 0 arrives at {int(time[0])} ns; times must be >= 0")
        back = np.diff(time) < 0
        if back.any():
            i = _first_bad(back) + 1
            raise ValueError(
                f"packet {i} arrives at {int(time[i])} ns, before packet {i - 1}"
                f" ({int(time[i - 1])} ns): sort the trace by time"
            )
        for name, low, high in (("size", 1, 2**31 - 1), ("flow", 0, 2**63 - 1), ("dscp", 0, DSCP_COUNT - 1)):
            column = packets[name]
            bad = (column < low) | (column > high)
            if bad.any():
                i = _first_bad(bad)
                raise ValueError(f"packet {i} has {name} {int(column[i])}, outside [{low}, {high}]")
        deadline = packets["deadline"]
        bad = deadline < NO_DEADLINE
        if bad.any():
            i = _first_bad(bad)
            raise ValueError(f"packet {i} has deadline {int(deadline[i])}; use -1 for none")

    def _derive(self):
        packets = self.packets
        n = len(packets)
        flow, size = packets["flow"], packets["size"].astype(np.int64)
        order = np.argsort(flow, kind="stable")  # by flow, arrival order within
        sorted_flow = flow[order]
        starts = np.flatnonzero(np.r_[True, sorted_flow[1:] != sorted_flow[:-1]]) if n else np.empty(0, int)
        group = np.cumsum(np.r_[False, sorted_flow[1:] != sorted_flow[:-1]]) if n else np.empty(0, int)
        sorted_size = size[order]
        total = np.add.reduceat(sorted_size, starts) if n else np.empty(0, np.int64)
        before = np.cumsum(sorted_size) - sorted_size
        before -= (np.cumsum(sorted_size) - sorted_size)[starts][group]
        attained = np.empty(n, np.int64)
        attained[order] = before
        flow_bytes = np.empty(n, np.int64)
        flow_bytes[order] = total[group]
        seq = np.empty(n, np.int64)
        seq[order] = np.arange(n) - starts[group] if n else np.empty(0, np.int64)
        self.attained = attained
        self.flow_bytes = flow_bytes
        self.remaining = flow_bytes - attained
        self.seq = seq
        self.flow_ids = sorted_flow[starts] if n else np.empty(0, np.int64)

    def __len__(self):
        return len(self.packets)

    def __repr__(self):
        return f"<Trace {len(self)} packets, {len(self.flow_ids)} flows>"

    def array(self, name):
        """A column (trace field or derived) as a numpy array."""
        if name in PACKET_DTYPE.names:
            return self.packets[name]
        if name in ("attained", "flow_bytes", "remaining", "seq"):
            return getattr(self, name)
        raise KeyError(f"no column {name!r}; fields are {', '.join(PACKET_DTYPE.names)}"
                       ", attained, flow_bytes, remaining, seq")

    def column(self, name):
        """A column as a list of Python ints: fast to index per packet.  Cached."""
        column = self._columns.get(name)
        if column is None:
            column = self._columns[name] = self.array(name).tolist()
        return column
