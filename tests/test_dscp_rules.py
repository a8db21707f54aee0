"""Marking validation and the exact iptables/nft commands, checked against
rules written out by hand with the RFC DSCP values."""

import ipaddress

import pytest

from eiffel.dscp.rules import Marking, parse_address, parse_port, parse_protocol, plan

EF, AF41, LE, CS1 = 46, 34, 1, 8  # RFC 3246, 2597, 8622, 2474


def net(text):
    return ipaddress.ip_network(text)


def test_iptables_rules_for_both_families_without_an_address():
    p = plan(Marking(EF, "tcp", dport=5201))
    tail = ("-t mangle -A POSTROUTING -p tcp -m tcp --dport 5201 "
            "-m comment --comment 'eiffel-dscp ef tcp dport 5201 out' -j DSCP --set-dscp 46")  # fmt: skip
    assert p.text() == f"iptables -w 10 {tail}\nip6tables -w 10 {tail}"


def test_iptables_delete_is_the_same_rule_with_dash_d():
    marking = Marking(AF41, "udp", sport=53)
    add, delete = plan(marking), plan(marking, delete=True)

    def swap(command, old, new):
        return tuple(new if word == old else word for word in command)

    assert delete.commands() == [swap(c, "-A", "-D") for c in add.commands()]
    # Adding first checks (-C) that the rule is not there yet; each step is
    # undone by its opposite.
    assert add.present_checks == tuple(swap(c, "-A", "-C") for c in add.commands())
    assert delete.present_checks == ()
    assert [step.undo for step in add.steps] == delete.commands()
    assert [step.undo for step in delete.steps] == add.commands()


def test_iptables_ipv6_address_uses_ip6tables_only():
    p = plan(Marking(LE, "udp", dport=443, dst=net("2001:db8::1"), direction="in"))
    assert p.commands() == [(
        "ip6tables", "-w", "10", "-t", "mangle", "-A", "PREROUTING", "-d", "2001:db8::1",
        "-p", "udp", "-m", "udp", "--dport", "443",
        "-m", "comment", "--comment", "eiffel-dscp le udp dport 443 dst 2001:db8::1 in",
        "-j", "DSCP", "--set-dscp", "1",
    )]  # fmt: skip


def test_iptables_ipv4_networks_and_protocol_without_ports():
    p = plan(Marking(CS1, "sctp", src=net("10.1.0.0/16"), dst=net("192.0.2.7")))
    assert p.commands() == [(
        "iptables", "-w", "10", "-t", "mangle", "-A", "POSTROUTING",
        "-s", "10.1.0.0/16", "-d", "192.0.2.7", "-p", "sctp",
        "-m", "comment", "--comment", "eiffel-dscp cs1 sctp src 10.1.0.0/16 dst 192.0.2.7 out",
        "-j", "DSCP", "--set-dscp", "8",
    )]  # fmt: skip


def test_unnamed_codepoints_are_set_by_number():
    (command,) = plan(Marking(5, dst=net("10.0.0.1"))).commands()
    assert command[-2:] == ("--set-dscp", "5") and "eiffel-dscp dscp5 dst 10.0.0.1 out" in command


def test_nft_plan_builds_one_table_per_marking():
    p = plan(Marking(EF, "tcp", dport=5201), "nft")
    table = "eiffel_dscp_ef_tcp_dport_5201_out"
    assert p.text().splitlines() == [
        f"nft create table inet {table}",
        f"nft add chain inet {table} postrouting '{{ type filter hook postrouting priority mangle; }}'",
        f"nft add rule inet {table} postrouting meta nfproto ipv4 tcp dport 5201 counter ip dscp set ef",
        f"nft add rule inet {table} postrouting meta nfproto ipv6 tcp dport 5201 counter ip6 dscp set ef",
    ]
    assert p.present_checks == (("nft", "list", "table", "inet", table),)
    # A failure after the table exists is undone by dropping the table.
    assert p.steps[0].undo == ("nft", "delete", "table", "inet", table)
    assert all(step.undo is None for step in p.steps[1:])
    assert plan(Marking(EF, "tcp", dport=5201), "nft", delete=True).commands() == [
        ("nft", "delete", "table", "inet", table)
    ]


def test_nft_in_direction_ipv6_and_the_le_symbol():
    p = plan(Marking(LE, "udp", sport=53, src=net("2001:db8::/32"), direction="in"), "nft")
    table = "eiffel_dscp_le_udp_sport_53_src_2001-db8--/32_in"
    assert p.commands()[1][-2:] == ("prerouting", "{ type filter hook prerouting priority mangle; }")
    assert p.commands()[2:] == [(
        "nft", "add", "rule", "inet", table, "prerouting",
        "ip6", "saddr", "2001:db8::/32", "udp", "sport", "53", "counter", "ip6", "dscp", "set", "lephb",
    )]  # fmt: skip


def test_nft_protocol_without_ports_and_numeric_dscp():
    p = plan(Marking(63, "sctp", dst=net("10.0.0.2")), "nft")
    assert p.commands()[2][6:] == (
        "ip", "daddr", "10.0.0.2", "meta", "l4proto", "sctp", "counter", "ip", "dscp", "set", "63",
    )


# nftables' symbol table (src/proto.c dscp_type_tbl), typed in from the source.
NFT_SYMBOLS = {
    "cs0": 0x00, "cs1": 0x08, "cs2": 0x10, "cs3": 0x18, "cs4": 0x20, "cs5": 0x28, "cs6": 0x30,
    "cs7": 0x38, "lephb": 0x01, "af11": 0x0A, "af12": 0x0C, "af13": 0x0E, "af21": 0x12,
    "af22": 0x14, "af23": 0x16, "af31": 0x1A, "af32": 0x1C, "af33": 0x1E, "af41": 0x22,
    "af42": 0x24, "af43": 0x26, "va": 0x2C, "ef": 0x2E,
}  # fmt: skip


@pytest.mark.parametrize("value", range(64))
def test_every_dscp_is_written_so_nft_and_iptables_read_back_the_same_value(value):
    nft_value = plan(Marking(value), "nft").commands()[2][-1]
    decoded = NFT_SYMBOLS[nft_value] if nft_value in NFT_SYMBOLS else int(nft_value, 10)
    assert decoded == value
    assert plan(Marking(value)).commands()[0][-1] == str(value)


def test_distinct_markings_get_distinct_tables_and_comments():
    markings = [
        Marking(EF), Marking(EF, direction="in"), Marking(AF41), Marking(EF, "tcp"),
        Marking(EF, "udp"), Marking(EF, "tcp", sport=1), Marking(EF, "tcp", dport=1),
        Marking(EF, src=net("::1")), Marking(EF, dst=net("::1")), Marking(EF, dst=net("::")),
        Marking(EF, dst=net("0.0.0.1")), Marking(EF, dst=net("10.0.0.0/8")),
        Marking(EF, dst=net("10.0.0.0/16")), Marking(EF, "tcp", sport=1, dport=2),
        Marking(EF, "tcp", sport=2, dport=1),
    ]
    assert len({m.nft_table() for m in markings}) == len(markings)
    assert len({m.comment() for m in markings}) == len(markings)


@pytest.mark.parametrize("kwargs, needle", [
    (dict(dscp=64), "DSCP 64 is outside the valid range 0..63"),
    (dict(dscp=-1), "outside the valid range 0..63"),
    (dict(dscp=True), "outside the valid range"),
    (dict(dscp=46, dport=80), "--dport 80 needs a protocol"),
    (dict(dscp=46, sport=80), "--sport 80 needs a protocol"),
    (dict(dscp=46, protocol="tcp", dport=0), "port 0 is outside the valid range 1..65535"),
    (dict(dscp=46, protocol="tcp", sport=65536), "port 65536 is outside"),
    (dict(dscp=46, protocol="icmp"), "unknown protocol 'icmp'"),
    (dict(dscp=46, src=net("10.0.0.1"), dst=net("::1")), "--src 10.0.0.1 and --dst ::1 mix IPv4 and IPv6"),
    (dict(dscp=46, dst="10.0.0.1"), "--dst must be an ipaddress network"),
    (dict(dscp=46, direction="up"), "unknown direction 'up'"),
])  # fmt: skip
def test_invalid_markings_are_refused(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        Marking(**kwargs)


def test_unknown_backend():
    with pytest.raises(ValueError, match="unknown backend 'pf'"):
        plan(Marking(EF), "pf")


def test_field_parsers():
    assert parse_protocol("TCP") == "tcp" and parse_protocol("any") is None
    assert parse_port("1") == 1 and parse_port(" 65535 ") == 65535
    assert parse_address("10.0.0.1") == net("10.0.0.1/32")
    assert parse_address("2001:DB8::/32") == net("2001:db8::/32")
    for bad in ("0", "65536", "http", "8.0", ""):
        with pytest.raises(ValueError, match=f"port '{bad}' is outside the valid range 1..65535"):
            parse_port(bad)
    for bad, needle in [
        ("10.0.0.1/24", "host bits set"), ("10.0.0.256", "bad address"), ("host", "bad address"),
    ]:
        with pytest.raises(ValueError, match=needle):
            parse_address(bad)
    with pytest.raises(ValueError, match="unknown protocol 'gre'"):
        parse_protocol("gre")
