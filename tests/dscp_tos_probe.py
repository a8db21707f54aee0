"""Send traffic over loopback and report the DSCPs its packets carried.

    python dscp_tos_probe.py {4|6} {tcp|udp} PORT

Run inside a throwaway network namespace (the tests use `ip netns exec`):
it listens on PORT at 127.0.0.1 or ::1, sends to it, and sniffs lo with an
AF_PACKET socket.  Prints JSON: {"to_port": [dscp, ...], "from_port": [dscp, ...]} for
packets whose destination / source port is PORT, sniffed as they are sent
(after POSTROUTING, before the receive side's PREROUTING); for UDP also
"received": the DSCPs the receiving socket got (IP_RECVTOS /
IPV6_RECVTCLASS), which PREROUTING rules do change.  Needs CAP_NET_RAW.
"""

import json
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
ETH_HEADER = 14  # lo frames carry a zeroed Ethernet header
PROTOCOL_NUMBER = {"tcp": 6, "udp": 17}


def send_udp(family, host, port):
    """The DSCPs the receiving socket saw, after the receive path's PREROUTING."""
    if family == socket.AF_INET:
        level, ask, kind, size = socket.IPPROTO_IP, socket.IP_RECVTOS, socket.IP_TOS, 1
    else:
        level, ask, kind, size = socket.IPPROTO_IPV6, socket.IPV6_RECVTCLASS, socket.IPV6_TCLASS, 4
    received = []
    with socket.socket(family, socket.SOCK_DGRAM) as server, \
            socket.socket(family, socket.SOCK_DGRAM) as client:  # fmt: skip
        server.setsockopt(level, ask, 1)
        server.bind((host, port))
        for _ in range(3):
            client.sendto(b"probe", (host, port))
            _, ancillary, _, _ = server.recvmsg(100, socket.CMSG_SPACE(size))
            for cmsg_level, cmsg_type, data in ancillary:
                if (cmsg_level, cmsg_type) == (level, kind):
                    received.append(int.from_bytes(data[:size], sys.byteorder) >> 2)
    return received


def make_traffic(version, protocol, port):
    family, host = (socket.AF_INET, "127.0.0.1") if version == 4 else (socket.AF_INET6, "::1")
    if protocol == "udp":
        return send_udp(family, host, port)
    with socket.socket(family, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(1)
        with socket.create_connection((host, port), timeout=5) as client:
            peer, _ = server.accept()
            with peer:
                client.sendall(b"probe" * 100)
                peer.recv(1000)
                peer.sendall(b"reply")
                client.recv(100)


def parse(frame, protocol):
    """(dscp, sport, dport) of an IPv4/IPv6 packet of the protocol, or None."""
    ethertype = int.from_bytes(frame[12:14], "big")
    ip = frame[ETH_HEADER:]
    if ethertype == 0x0800:
        tos, header_length, next_header = ip[1], (ip[0] & 0x0F) * 4, ip[9]
    elif ethertype == 0x86DD:
        tos, header_length, next_header = ((ip[0] & 0x0F) << 4) | (ip[1] >> 4), 40, ip[6]
    else:
        return None
    if next_header != PROTOCOL_NUMBER[protocol]:
        return None
    ports = ip[header_length:header_length + 4]
    return tos >> 2, int.from_bytes(ports[:2], "big"), int.from_bytes(ports[2:], "big")


def main():
    version, protocol, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sniffer.bind(("lo", 0))
    received = make_traffic(version, protocol, port)
    seen = {"to_port": [], "from_port": [], "received": received or []}
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and select.select([sniffer], [], [], 0.2)[0]:
        packet = parse(sniffer.recv(65535), protocol)
        if packet is None:
            continue
        dscp, sport, dport = packet
        if dport == port:
            seen["to_port"].append(dscp)
        elif sport == port:
            seen["from_port"].append(dscp)
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
