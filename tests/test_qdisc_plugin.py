"""The pyroute2 side of the qdisc, without a kernel: the tc plugin's
encoding of TCA_OPTIONS and decoding of the xstats, when it is registered,
and how the netlink client hands Options to pyroute2 (needs eiffel[netlink])."""

from __future__ import annotations

import struct
import subprocess
import sys

import pytest

from eiffel.qdisc import uapi
from eiffel.qdisc.options import Options

pytestmark = pytest.mark.extra("netlink")


@pytest.fixture
def netlink():
    from eiffel.qdisc import netlink

    return netlink


@pytest.fixture
def plugin():
    from eiffel.qdisc import plugin

    return plugin


def test_importing_touches_no_pyroute2_table_until_a_request():
    code = (
        "import eiffel, eiffel.qdisc.netlink as netlink\n"
        "from pyroute2.netlink.rtnl.tcmsg import plugins\n"
        "assert 'eiffel' not in plugins, 'registered at import'\n"
        "netlink.plugin.register()\n"
        "assert plugins['eiffel'] is netlink.sched_eiffel\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_register_leaves_an_entry_already_there(plugin, monkeypatch):
    from pyroute2.netlink.rtnl.tcmsg import plugins

    stand_in = object()
    monkeypatch.setitem(plugins, "eiffel", stand_in)
    plugin.register()
    assert plugins["eiffel"] is stand_in


def test_tcmsg_round_trip(plugin):
    from pyroute2.netlink.rtnl.tcmsg import tcmsg

    plugin.register()
    given = {"limit": 321, "maxrate": 2**64 - 1, "granularity": 4096, "horizon_drop": False,
             "dscp_map": [i % 5 for i in range(64)], "weights": [5, 4, 3, 2, 1]}
    msg = tcmsg()
    msg["attrs"] = [["TCA_KIND", "eiffel"], ["TCA_OPTIONS", {"attrs": Options(given).attrs}]]
    msg.encode()
    back = tcmsg(msg.data)
    back.decode()
    assert back.get_attr("TCA_KIND") == "eiffel"
    from eiffel.qdisc.options import decode

    assert decode(back.get_attr("TCA_OPTIONS")["attrs"]) == dict(given, maxrate=None)


def test_request_filter_puts_the_encoded_options_into_the_request(plugin):
    from pyroute2.requests.tc import TcIPRouteFilter

    plugin.register()
    context = {"kind": "eiffel", "index": 3, "parent": 0xFFFFFFFF,
               "eiffel_attrs": Options(limit=9).attrs}
    TcIPRouteFilter("add").finalize(context)
    assert context["options"] == {"attrs": [["TCA_EIFFEL_LIMIT", 9]]}


def _raw_xstats(values):
    """The struct's bytes, packed here from the layout the header gives."""
    raw = b""
    for field in uapi.XSTATS:
        letter = {1: "b", 2: "h", 4: "i", 8: "q"}[field.size]
        letter = letter if field.signed else letter.upper()
        items = values[field.name] if field.length else [values[field.name]]
        raw += struct.pack(f"={len(items)}{letter}", *items)
    return raw


def test_xstats_decode(plugin):
    values = {}
    for number, field in enumerate(uapi.XSTATS, start=1):
        base = number * 1000 + 7
        values[field.name] = [base + i for i in range(field.length)] if field.length else base
    values["time_next_delayed_flow"] = -5
    raw = _raw_xstats(values)
    assert len(raw) == uapi.XSTATS_SIZE
    nla = plugin._xstats_nla()
    nla.data = (len(raw) + 4).to_bytes(2, "little") + (4).to_bytes(2, "little") + raw
    nla.decode()
    assert plugin.xstats_dict(nla) == values


def test_requests_send_the_options_as_encoded_once(netlink, monkeypatch):
    sent = []
    monkeypatch.setattr(netlink, "_request", lambda command, dev, **kw: sent.append((command, kw)))
    opts = Options(limit=5, maxrate="1gbit")
    monkeypatch.setattr(Options, "__init__", None)  # no second parse or encoding from here on
    netlink.add("eth0", opts)
    netlink.change("eth0", opts, netns="ns1")
    netlink.replace("eth0", opts, parent="1:2")
    assert [command for command, _ in sent] == ["add", "change", "replace"]
    assert all(kw["attrs"] == [["TCA_EIFFEL_LIMIT", 5], ["TCA_EIFFEL_MAXRATE", 125_000_000]]
               for _, kw in sent)
    assert sent[1][1]["netns"] == "ns1" and sent[2][1]["parent"] == "1:2"


def test_requests_take_keywords_or_options_not_both(netlink, monkeypatch):
    sent = []
    monkeypatch.setattr(netlink, "_request", lambda command, dev, **kw: sent.append(kw["attrs"]))
    netlink.add("eth0", limit=5)
    netlink.add("eth0", {"limit": 0}, validate=False)
    assert sent == [[["TCA_EIFFEL_LIMIT", 5]], [["TCA_EIFFEL_LIMIT", 0]]]
    with pytest.raises(TypeError, match="not both"):
        netlink.add("eth0", Options(limit=5), flow_limit=3)
    with pytest.raises(ValueError, match="limit must be 1 to"):
        netlink.add("eth0", limit=0)
