"""sch_eiffel in a stock kernel: loading (with the self-test), attaching with
stock tc, counters in ``tc -s``, and every option through netlink: init,
change and dump round-trip, invalid values are refused with the kernel's
extack message and change nothing."""

from __future__ import annotations

import errno
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from eiffel import dscp
from eiffel.qdisc import netlink, uapi

MODULE = "sch_eiffel"


def _loaded() -> bool:
    return Path("/sys/module", MODULE).is_dir()


def test_module_loads_with_selftest(ko, run, dmesg):
    """The core's randomized checks run in the kernel at load (selftest=1)."""
    if _loaded():
        run(["rmmod", MODULE])
    run(["insmod", str(ko), "selftest=1"])
    assert _loaded()
    assert Path(f"/sys/module/{MODULE}/parameters/selftest").read_text().strip() == "Y"
    log = "\n".join(dmesg())
    assert re.search(r"sch_eiffel: self-test passed: \d+ seeds x \d+ rounds", log), log
    assert "FAILED" not in log


@pytest.fixture
def qdisc(ko_loaded, netns_pair):
    """veth-a in namespace eiffel-a with an eiffel root qdisc (defaults)."""
    pair = netns_pair
    pair.run_a(["tc", "qdisc", "add", "dev", pair.dev_a, "root", "eiffel"])
    return pair


def _cffs_buckets(horizon_ns, granularity_ns):
    """Buckets per cFFS half: ceil(max(horizon, 1 s) / granularity) + 1."""
    return -(-max(horizon_ns, 1_000_000_000) // granularity_ns) + 1


def _dump(pair):
    return netlink.dump(pair.dev_a, netns=pair.ns_a)


def test_attach_with_tc_and_counters_in_tc_s(qdisc, ping):
    pair = qdisc
    ping(pair.ns_a, pair.ip_b, count=5)
    out = pair.run_a(["tc", "-s", "qdisc", "show", "dev", pair.dev_a]).stdout
    assert re.search(r"^qdisc eiffel [0-9a-f]+: root", out, re.M), out
    m = re.search(r"Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits \d+ requeues \d+\)", out)
    assert m, out
    sent_bytes, sent_pkts, dropped = map(int, m.groups())
    assert sent_pkts >= 5 and sent_bytes >= 5 * 98 and dropped == 0, out
    st = netlink.stats(pair.dev_a, netns=pair.ns_a)
    # The same counters through netlink (nothing else was sent in between).
    assert st["packets"] >= sent_pkts and st["bytes"] >= sent_bytes
    assert st["packets"] == st["dequeued"]  # no GSO: "Sent N pkt" counts skbs
    assert st["dequeued"] + st["drops"] + st["qlen"] == st["enqueued"]
    assert st["flows"] >= 1 and st["early_packets"] == 0
    assert st["cffs_buckets"] == _cffs_buckets(10_000_000_000, 65536)


DEFAULTS = {
    "limit": 10000,
    "flow_limit": 100,
    "quantum": 2 * 1514,  # 2 * (MTU + Ethernet header), as fq
    "initial_quantum": 10 * 1514,
    "pacing": True,
    "maxrate": None,
    "buckets": 1024,
    "refill_delay": 40_000_000,
    "orphan_mask": 1023,
    "low_rate_threshold": 550_000 // 8,
    "ce_threshold": None,
    "timer_slack": 10_000,
    "horizon": 10_000_000_000,
    "horizon_drop": True,
    "granularity": 65536,
    "dscp_map": dscp.preset_map("diffserv4"),  # the kernel's built-in map
    "bands": 4,
    "default_band": 2,
    "weights": [],  # strict priority
    "rate": None,
    "band_limit": None,
}

# A value other than the default for every option.
CHANGED = {
    "limit": 777,
    "flow_limit": 55,
    "quantum": 4000,
    "initial_quantum": 20000,
    "pacing": False,
    "maxrate": 12_500_000,
    "buckets": 4096,
    "refill_delay": 20_000_000,
    "orphan_mask": 255,
    "low_rate_threshold": 100_000,
    "ce_threshold": 5_000_000,
    "timer_slack": 20_000,
    "horizon": 2_000_000_000,
    "horizon_drop": False,
    "granularity": 32768,
    # In this order, each change valid on its own: the map first, then bands.
    "dscp_map": [i % 3 for i in range(64)],
    "bands": 3,
    "default_band": 1,
    "weights": [30000, 20000, 10000],
    "rate": 6_250_000,
    "band_limit": 500,
}


def test_defaults_are_fqs(qdisc):
    assert set(DEFAULTS) == set(netlink.OPTIONS)
    assert _dump(qdisc) == DEFAULTS


def test_change_round_trips_every_option(qdisc):
    pair = qdisc
    assert set(CHANGED) == set(netlink.OPTIONS)
    expected = dict(DEFAULTS)
    for name, value in CHANGED.items():
        netlink.change(pair.dev_a, netns=pair.ns_a, **{name: value})
        expected[name] = value
        assert _dump(pair) == expected, name
    # And back, all at once.
    netlink.change(pair.dev_a, netns=pair.ns_a, **DEFAULTS)
    assert _dump(pair) == DEFAULTS


def test_init_with_every_option_round_trips(ko_loaded, netns_pair):
    pair = netns_pair
    netlink.add(pair.dev_a, netns=pair.ns_a, **CHANGED)
    assert _dump(pair) == CHANGED
    # tc shows it as a qdisc it does not know, with our options attached.
    out = pair.run_a(["tc", "qdisc", "show", "dev", pair.dev_a]).stdout
    assert re.search(r"qdisc eiffel .*optlen=\d+", out), out
    # replace on an eiffel qdisc changes it (the kernel's rule for a qdisc
    # of the same kind): the given options, the others stay.
    netlink.replace(pair.dev_a, netns=pair.ns_a, granularity="128us", horizon="4s")
    want = dict(CHANGED, granularity=128_000, horizon=4_000_000_000)
    assert _dump(pair) == want
    st = netlink.stats(pair.dev_a, netns=pair.ns_a)
    assert st["cffs_buckets"] == _cffs_buckets(4_000_000_000, 128_000) == 31251


# (options, errno, extack message fragment): each must be refused.
INVALID = [
    ({"limit": 0}, errno.EINVAL, "limit must be at least 1"),
    ({"flow_limit": 0}, errno.EINVAL, "flow_limit must be at least 1"),
    ({"quantum": 100}, errno.EINVAL, "quantum must be 256 to 1048576"),
    ({"quantum": (1 << 20) + 1}, errno.EINVAL, "quantum must be 256 to 1048576"),
    ({"initial_quantum": (1 << 20) + 1}, errno.EINVAL, "initial_quantum must be at most"),
    ({"pacing": 2}, errno.EINVAL, "rate_enable must be 0 or 1"),
    ({"horizon_drop": 7}, errno.EINVAL, "horizon_drop must be 0 or 1"),
    ({"buckets": 1 << 19}, errno.EINVAL, "buckets_log must be 1 to 18"),
    ({"buckets": 1}, errno.EINVAL, "buckets_log must be 1 to 18"),
    ({"timer_slack": 2_000_000_000}, errno.EINVAL, "timer_slack must be at most 1000000000 ns"),
    ({"granularity": 0}, errno.EINVAL, "granularity must be 1 to 1000000000 ns"),
    ({"granularity": 1_500_000_000}, errno.EINVAL, "granularity must be 1 to 1000000000 ns"),
    ({"granularity": 1000}, errno.EINVAL, "needs more than 4194304 cFFS buckets"),
    ({"horizon": 4_000_000_000_000, "granularity": 100_000}, errno.EINVAL, "cFFS buckets"),
    ({"bands": 9}, errno.EINVAL, "bands must be 1 to 8"),
    ({"bands": 0}, errno.EINVAL, "bands must be 1 to 8"),
    ({"bands": 2}, errno.EINVAL, "dscp_map sends"),  # the default map uses band 3
    ({"dscp_map": [0] * 63 + [4]}, errno.EINVAL, "dscp_map sends"),
    ({"default_band": 4}, errno.EINVAL, "default_band"),
    ({"default_band": 8}, errno.EINVAL, "default_band must be below 8"),
    ({"weights": [1000, 0, 1000, 1000]}, errno.EINVAL, "each weight must be 1 to"),
    ({"weights": [1000, 1000]}, errno.EINVAL, "weights"),
    ({"rate": 0}, errno.EINVAL, "rate must be at least 1 byte/s"),
    ({"band_limit": 0}, errno.EINVAL, "band_limit must be at least 1"),
]


@pytest.mark.parametrize("bad,err,message", INVALID, ids=[
    "-".join(f"{k}={v}" for k, v in case[0].items()) for case in INVALID
])
def test_invalid_option_rejected_old_config_kept(qdisc, bad, err, message):
    pair = qdisc
    netlink.change(pair.dev_a, netns=pair.ns_a, limit=500, maxrate="10mbit")
    before = _dump(pair)
    # A valid option in the same request must not be applied either.
    request = dict(bad, flow_limit=33) if "flow_limit" not in bad else dict(bad, limit=33)
    with pytest.raises(netlink.QdiscError) as exc:
        netlink.change(pair.dev_a, netns=pair.ns_a, validate=False, **request)
    assert exc.value.errno == err
    assert message in exc.value.strerror, exc.value.strerror
    assert _dump(pair) == before
    # add with the same options fails the same way and attaches nothing.
    netlink.delete(pair.dev_a, netns=pair.ns_a)
    with pytest.raises(netlink.QdiscError) as exc:
        netlink.add(pair.dev_a, netns=pair.ns_a, validate=False, **request)
    assert message in exc.value.strerror
    out = pair.run_a(["tc", "qdisc", "show", "dev", pair.dev_a]).stdout
    assert "eiffel" not in out, out


def _malformed_plugin(nla_map):
    """A copy of the eiffel tc plugin whose options encode with nla_map."""
    from pyroute2.netlink import nla

    class options(nla):
        pass

    options.nla_map = nla_map
    mod = types.ModuleType("malformed_eiffel")
    mod.__dict__.update(vars(netlink.sched_eiffel))
    mod.options = options
    return mod


@pytest.mark.parametrize("case", ["limit-as-u8", "unknown-attribute", "maxrate-as-u32"])
def test_malformed_option_rejected(qdisc, monkeypatch, case):
    """Attributes of the wrong size or an unknown type: strict validation."""
    from pyroute2.netlink.rtnl.tcmsg import plugins

    pair = qdisc
    before = _dump(pair)
    lib = uapi  # the header's names: TCA_EIFFEL_*
    if case == "limit-as-u8":
        nla_map, attrs = ((lib.TCA_EIFFEL_LIMIT, "TCA_EIFFEL_LIMIT", "uint8"),), [["TCA_EIFFEL_LIMIT", 5]]
    elif case == "maxrate-as-u32":
        nla_map, attrs = ((lib.TCA_EIFFEL_MAXRATE, "TCA_EIFFEL_MAXRATE", "uint32"),), [["TCA_EIFFEL_MAXRATE", 5]]
    else:
        nla_map, attrs = ((lib.TCA_EIFFEL_MAX + 1, "TCA_EIFFEL_FUTURE", "uint32"),), [["TCA_EIFFEL_FUTURE", 5]]
    monkeypatch.setitem(plugins, netlink.KIND, _malformed_plugin(nla_map))
    with pytest.raises(netlink.QdiscError) as exc:
        netlink._request("change", pair.dev_a, netns=pair.ns_a, attrs=attrs)
    assert exc.value.errno in (errno.EINVAL, errno.ERANGE)
    assert exc.value.strerror and exc.value.strerror != "Invalid argument", exc.value.strerror
    monkeypatch.undo()
    assert _dump(pair) == before


def test_stock_tc_without_plugin_cannot_pass_options(qdisc):
    """Documented limitation: stock tc has no q_eiffel.so, so options go
    through eiffel.qdisc.netlink; tc still adds, shows and deletes the qdisc."""
    pair = qdisc
    p = pair.run_a(["tc", "qdisc", "change", "dev", pair.dev_a, "root", "eiffel", "limit", "5"],
                   check=False)
    assert p.returncode != 0
    assert _dump(pair)["limit"] == DEFAULTS["limit"]
    pair.run_a(["tc", "qdisc", "del", "dev", pair.dev_a, "root"])
    assert "eiffel" not in pair.run_a(["tc", "qdisc", "show", "dev", pair.dev_a]).stdout
