"""Replay a real capture: read a pcap file into a packet array (needs dpkt).

Each IPv4/IPv6 packet becomes one row: its capture time (ns from the first
packet), its captured wire length, a flow id (dense, in order of first
appearance) from the 5-tuple (addresses, protocol, TCP/UDP ports), and the
DSCP from its traffic-class byte.  Non-IP frames are skipped and counted.
"""

import socket

import numpy as np

from eiffel._extras import require
from eiffel.sim.trace import NO_DEADLINE, PACKET_DTYPE

__all__ = ["read_pcap"]


def _dpkt():
    return require("pcap", "reading pcap files (--pcap)")


def _ip_layer(dpkt, linktype, buf):
    if linktype == dpkt.pcap.DLT_EN10MB:
        frame = dpkt.ethernet.Ethernet(buf)
        return frame.data if isinstance(frame.data, (dpkt.ip.IP, dpkt.ip6.IP6)) else None
    if linktype in (dpkt.pcap.DLT_RAW, 101):  # LINKTYPE_RAW
        version = buf[0] >> 4 if buf else 0
        return dpkt.ip.IP(buf) if version == 4 else dpkt.ip6.IP6(buf) if version == 6 else None
    if linktype == dpkt.pcap.DLT_LINUX_SLL:
        frame = dpkt.sll.SLL(buf)
        return frame.data if isinstance(frame.data, (dpkt.ip.IP, dpkt.ip6.IP6)) else None
    raise ValueError(f"link type {linktype} is not supported (Ethernet, raw IP, Linux cooked)")


def read_pcap(path):
    """Return (packets, skipped): a PACKET_DTYPE array and the count of non-IP frames."""
    dpkt = _dpkt()
    times, sizes, flows, dscps = [], [], [], []
    flow_ids = {}
    skipped = 0
    with open(path, "rb") as handle:
        reader = dpkt.pcap.UniversalReader(handle)
        linktype = reader.datalink()
        for timestamp, buf in reader:
            try:
                ip = _ip_layer(dpkt, linktype, buf)
            except (dpkt.UnpackError, IndexError):
                ip = None
            if ip is None:
                skipped += 1
                continue
            if isinstance(ip, dpkt.ip.IP):
                family, tos, proto = socket.AF_INET, ip.tos, ip.p
            else:
                family, tos, proto = socket.AF_INET6, ip.fc, ip.nxt
            l4 = ip.data
            ports = (l4.sport, l4.dport) if isinstance(l4, (dpkt.tcp.TCP, dpkt.udp.UDP)) else (0, 0)
            key = (family, bytes(ip.src), bytes(ip.dst), proto) + ports
            flows.append(flow_ids.setdefault(key, len(flow_ids)))
            times.append(timestamp)
            sizes.append(len(buf))
            dscps.append(tos >> 2)
    packets = np.zeros(len(times), dtype=PACKET_DTYPE)
    if times:
        stamps = np.asarray(times, dtype=np.float64)
        ns = np.round((stamps - stamps[0]) * 1e9).astype(np.int64)
        order = np.argsort(ns, kind="stable")  # captures can be slightly out of order
        packets["time"] = ns[order]
        packets["flow"] = np.asarray(flows)[order]
        packets["size"] = np.asarray(sizes)[order]
        packets["dscp"] = np.asarray(dscps)[order]
    packets["deadline"] = NO_DEADLINE
    return packets, skipped
