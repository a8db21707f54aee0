"""eiffel.netlink without a kernel: option units and checks, the pyroute2
plugin's encoding of TCA_OPTIONS and decoding of the xstats, and that the
Python side sees exactly the uapi header's numbers (through cffi)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pyroute2 = pytest.importorskip("pyroute2")

from eiffel.qdisc import netlink  # noqa: E402
from eiffel.qdisc._uapi import ffi, lib  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
UAPI = ROOT / "csrc" / "uapi" / "pkt_sched_eiffel.h"


def _header_enum():
    text = UAPI.read_text()
    body = re.search(r"enum \{(.*?)\};", text, re.S).group(1)
    return re.findall(r"^\s*(TCA_EIFFEL_\w+),", body, re.M)


def _header_xstats():
    text = UAPI.read_text()
    body = re.search(r"struct tc_eiffel_xstats \{(.*?)\};", text, re.S).group(1)
    fields = []
    for _, bits, name, count in re.findall(r"__([us])(\d+)\s+(\w+)(?:\[(\w+)\])?;", body):
        n = getattr(lib, count) if count else 1
        fields.append((name, int(bits) // 8 * n))
    return fields


def _flat(fields):
    """XSTATS_FIELDS' names: an array field n[k] becomes n_0 .. n_{k-1}."""
    out = []
    for name, _ in fields:
        kind = dict(ffi.typeof("struct tc_eiffel_xstats").fields)[name].type
        out += [f"{name}_{i}" for i in range(kind.length)] if kind.kind == "array" else [name]
    return out


def test_binding_names_every_attribute_and_values_follow_the_header():
    names = _header_enum()
    assert names[0] == "TCA_EIFFEL_UNSPEC" and len(names) > 10
    for number, name in enumerate(names):
        assert getattr(lib, name) == number, name
    assert lib.TCA_EIFFEL_MAX == len(names) - 1


def test_xstats_layout_is_the_headers():
    fields = _header_xstats()
    assert [name for name, _ in netlink.XSTATS_FIELDS] == _flat(fields)
    assert ffi.sizeof("struct tc_eiffel_xstats") == sum(size for _, size in fields)
    for name, size in fields:
        assert ffi.sizeof(ffi.typeof("struct tc_eiffel_xstats").fields[
            [n for n, _ in ffi.typeof("struct tc_eiffel_xstats").fields].index(name)][1].type) == size


def test_every_option_has_an_attribute():
    attrs = set(_header_enum()) - {"TCA_EIFFEL_UNSPEC", "TCA_EIFFEL_PAD"}
    assert {opt.attr for opt in netlink.OPTIONS.values()} == attrs


@pytest.mark.parametrize(
    "options,attrs",
    [
        ({"limit": 5}, [["TCA_EIFFEL_LIMIT", 5]]),
        ({"maxrate": "100mbit"}, [["TCA_EIFFEL_MAXRATE", 12_500_000]]),
        ({"maxrate": "2MBps"}, [["TCA_EIFFEL_MAXRATE", 2_000_000]]),
        ({"maxrate": 1234}, [["TCA_EIFFEL_MAXRATE", 1234]]),
        ({"maxrate": None}, [["TCA_EIFFEL_MAXRATE", 2**64 - 1]]),
        ({"low_rate_threshold": "550kbit"}, [["TCA_EIFFEL_LOW_RATE_THRESHOLD", 68750]]),
        ({"granularity": "64us"}, [["TCA_EIFFEL_GRANULARITY", 64_000]]),
        ({"granularity": 65536}, [["TCA_EIFFEL_GRANULARITY", 65536]]),
        ({"horizon": "10s"}, [["TCA_EIFFEL_HORIZON", 10_000_000]]),  # microseconds
        ({"refill_delay": "40ms"}, [["TCA_EIFFEL_REFILL_DELAY", 40_000]]),
        ({"ce_threshold": None}, [["TCA_EIFFEL_CE_THRESHOLD", 2**32 - 1]]),
        ({"ce_threshold": "2.5ms"}, [["TCA_EIFFEL_CE_THRESHOLD", 2500]]),
        ({"timer_slack": "10us"}, [["TCA_EIFFEL_TIMER_SLACK", 10_000]]),
        ({"buckets": 4096}, [["TCA_EIFFEL_BUCKETS_LOG", 12]]),
        ({"pacing": False}, [["TCA_EIFFEL_RATE_ENABLE", 0]]),
        ({"horizon_cap": True}, [["TCA_EIFFEL_HORIZON_DROP", 0]]),
        ({"horizon_drop": True}, [["TCA_EIFFEL_HORIZON_DROP", 1]]),
    ],
)
def test_units(options, attrs):
    assert netlink.encode_options(options) == attrs


@pytest.mark.parametrize(
    "options,error",
    [
        ({"limit": 0}, ValueError),
        ({"limit": 2**32}, ValueError),
        ({"limit": "5"}, TypeError),
        ({"limit": True}, TypeError),
        ({"flow_limit": 0}, ValueError),
        ({"quantum": 255}, ValueError),
        ({"quantum": (1 << 20) + 1}, ValueError),
        ({"initial_quantum": (1 << 20) + 1}, ValueError),
        ({"buckets": 1000}, ValueError),  # not a power of two
        ({"buckets": 1 << 19}, ValueError),
        ({"buckets": 1}, ValueError),
        ({"pacing": 2}, ValueError),
        ({"maxrate": "fast"}, ValueError),
        ({"maxrate": "100furlongs"}, ValueError),
        ({"maxrate": "1bit"}, ValueError),  # not whole bytes per second
        ({"maxrate": -1}, ValueError),
        ({"horizon": "1500ns"}, ValueError),  # horizon is in microseconds
        ({"horizon": "1fortnight"}, ValueError),
        ({"granularity": 0}, ValueError),
        ({"granularity": "2s"}, ValueError),
        ({"timer_slack": "2s"}, ValueError),
        ({"ce_threshold": 1.5}, TypeError),
        ({"horizon_drop": True, "horizon_cap": True}, ValueError),
        ({"bands": 0}, ValueError),
        ({"bands": 9}, ValueError),
        ({"dscp_map": [0] * 63}, ValueError),
        ({"dscp_map": [8] * 64}, ValueError),  # band out of range
        ({"weights": [3, 0]}, ValueError),  # weight 0
        ({"weights": [1] * 9}, ValueError),
        ({"default_band": 8}, ValueError),
        ({"band_limit": 0}, ValueError),
        ({"rate": "fast"}, ValueError),
        ({"nonsense": 3}, TypeError),
    ],
)
def test_invalid_values_refused_before_the_kernel(options, error):
    with pytest.raises(error):
        netlink.encode_options(options)


def test_validate_false_leaves_range_checks_to_the_kernel():
    assert netlink.encode_options({"limit": 0, "buckets": 1 << 19}, validate=False) == [
        ["TCA_EIFFEL_LIMIT", 0],
        ["TCA_EIFFEL_BUCKETS_LOG", 19],
    ]
    with pytest.raises(TypeError):  # types are still checked
        netlink.encode_options({"limit": "0"}, validate=False)


def test_decode_is_the_inverse_of_encode():
    options = {
        "limit": 777, "flow_limit": 55, "quantum": 4000, "initial_quantum": 20000,
        "pacing": False, "maxrate": 12_500_000, "buckets": 4096, "refill_delay": 20_000_000,
        "orphan_mask": 255, "low_rate_threshold": 100_000, "ce_threshold": None,
        "timer_slack": 20_000, "horizon": 2_000_000_000, "horizon_drop": False,
        "granularity": 32768, "bands": 3, "dscp_map": [i % 3 for i in range(64)],
        "default_band": 1, "weights": [3000, 2000, 1000], "rate": 6_250_000,
        "band_limit": 500,
    }
    assert set(options) == set(netlink.OPTIONS)
    assert netlink.decode_options(netlink.encode_options(options)) == options
    assert netlink.decode_options(netlink.encode_options({"maxrate": None})) == {"maxrate": None}
    none = {"rate": None, "band_limit": None, "weights": []}
    assert netlink.decode_options(netlink.encode_options(none)) == none


def test_plugin_registered_and_tcmsg_round_trip():
    from pyroute2.netlink.rtnl.tcmsg import plugins, tcmsg

    assert plugins["eiffel"] is netlink.sched_eiffel
    options = {"limit": 321, "maxrate": 2**64 - 1, "granularity": 4096, "horizon_drop": False}
    msg = tcmsg()
    msg["attrs"] = [["TCA_KIND", "eiffel"],
                    ["TCA_OPTIONS", {"attrs": netlink.encode_options(options)}]]
    msg.encode()
    back = tcmsg(msg.data)
    back.decode()
    assert back.get_attr("TCA_KIND") == "eiffel"
    assert netlink.decode_options(back.get_attr("TCA_OPTIONS")["attrs"]) == dict(
        options, maxrate=None)


def test_request_filter_puts_options_into_the_request():
    from pyroute2.requests.tc import TcIPRouteFilter

    context = {"kind": "eiffel", "index": 3, "parent": 0xFFFFFFFF,
               "eiffel_attrs": netlink.encode_options({"limit": 9})}
    TcIPRouteFilter("add").finalize(context)
    assert context["options"] == {"attrs": [["TCA_EIFFEL_LIMIT", 9]]}


def test_xstats_decode():
    st = ffi.new("struct tc_eiffel_xstats *")
    for number, (name, _) in enumerate(netlink.XSTATS_FIELDS, start=1):
        array, _, index = name.rpartition("_")
        if array.startswith("band_"):
            getattr(st, array)[int(index)] = number * 1000 + 7
        else:
            setattr(st, name, number * 1000 + 7)
    st.time_next_delayed_flow = -5
    raw = bytes(ffi.buffer(st))
    nla = netlink._xstats_nla()
    # An nla: 4-byte header, then the struct.
    nla.data = (len(raw) + 4).to_bytes(2, "little") + (4).to_bytes(2, "little") + raw
    nla.decode()
    for number, (name, _) in enumerate(netlink.XSTATS_FIELDS, start=1):
        want = -5 if name == "time_next_delayed_flow" else number * 1000 + 7
        assert nla[name] == want, name
