"""DSCP bands and the root shaper of sch_eiffel, configured with `eiffel
qdisc` and fed by flows that `eiffel dscp mark --apply` marks in the guest.

Sender: namespace eiffel-a (veth-a, the qdisc); receiver: eiffel-b.  The
root rate makes the qdisc the bottleneck, so priorities and weights show.
Rates compare iperf3's goodput with the rate scaled by 1448/1514 (payload
per wire byte: the shaper counts every segment's headers).
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from bands_traffic import (UdpEcho, concurrent_iperf3, eiffel, load_netfilter, median,
                           probe_rtts_ms, received_bps)
from eiffel import dscp
from eiffel.qdisc import netlink

KERNEL = os.environ.get("EIFFEL_KERNEL", "unknown")
RESULTS = os.environ.get("EIFFEL_VM_RESULTS")
MSS, WIRE = 1448, 1514
SECONDS = 5
HIGH_PORT, LOW_PORT = 5202, 5201  # EF (band 0) and unmarked (band 2)
ROOT_MBIT = 30
STRICT_MIN_SHARE = 0.90
WEIGHTS = (30000, 10000, 10000, 10000)  # band 0 : band 2 = 3 : 1
WEIGHT_SHARE_TOLERANCE = 0.07
RATE_TOLERANCE = 0.05
WEIGHTS_TOTAL_TOLERANCE = 0.08  # two flows' goodput over 5 s under the shaper
PROBES = 3  # per band, in the strict test's window; a lost one counts 1 s
WINDOW = 3.0  # s: both flows send, the EF one past its slow start


def _record(name, data):
    if RESULTS:
        with open(os.path.join(RESULTS, f"bands-{name}-{KERNEL}.json"), "w") as f:
            json.dump(data, f, indent=2)


@pytest.fixture
def marked(ko_loaded, netns_pair):
    """EF on TCP to HIGH_PORT and on UDP to 7001, by the rules `eiffel dscp
    mark --apply` generates (iptables, in the sender namespace)."""
    pair = netns_pair
    load_netfilter()
    rules = [("--proto", "tcp", "--dport", str(HIGH_PORT)), ("--proto", "udp", "--dport", "7001")]
    for rule in rules:
        eiffel("dscp", "mark", "--class", "EF", *rule, "--apply", ns=pair.ns_a)
    yield pair
    for rule in rules:
        eiffel("dscp", "mark", "--class", "EF", *rule, "--delete", ns=pair.ns_a, check=False)


def _show(pair):
    out = eiffel("qdisc", "show", pair.dev_a, "-n", pair.ns_a, "--json").stdout
    return json.loads(out)


def test_default_map_is_diffserv4(ko_loaded, netns_pair):
    pair = netns_pair
    eiffel("qdisc", "add", pair.dev_a, "-n", pair.ns_a)
    opts = _show(pair)["options"]
    assert opts["dscp_map"] == dscp.preset_map("diffserv4")
    assert opts["bands"] == 4 and opts["default_band"] == 2 and opts["weights"] == []


def test_strict_priority_under_root_rate(marked):
    """The unmarked flow starts first; once the EF flow runs, band 0 takes
    the root rate (measured by the qdisc's per-band byte counters over a
    window where both flows send) and band 2's probes wait or are lost.
    (iperf3's own totals cannot show it: the starved flow's control
    connection is in band 2 as well, so its test outlasts the EF one.)"""
    pair = marked
    eiffel("qdisc", "add", pair.dev_a, "-n", pair.ns_a, "rate", f"{ROOT_MBIT}mbit")
    echo_hi, echo_lo = UdpEcho(pair.ns_b, 7001), UdpEcho(pair.ns_b, 7002)
    results, rtts = {}, {}

    def flow(port, seconds):
        results[port] = concurrent_iperf3(pair.ns_a, pair.ip_b, {port: []}, seconds)[port]

    def probe(port):
        rtts[port] = probe_rtts_ms(pair.ns_a, pair.ip_b, port, count=PROBES, gap=0.1)

    try:
        low = threading.Thread(target=flow, args=(LOW_PORT, 10))
        high = threading.Thread(target=flow, args=(HIGH_PORT, 6))
        low.start()
        time.sleep(2)
        high.start()
        time.sleep(1.5)
        t0, s0 = time.monotonic(), netlink.stats(pair.dev_a, netns=pair.ns_a)
        probes = [threading.Thread(target=probe, args=(p,)) for p in (7001, 7002)]
        for t in probes:
            t.start()
        time.sleep(WINDOW)
        t1, s1 = time.monotonic(), netlink.stats(pair.dev_a, netns=pair.ns_a)
        for t in [*probes, high, low]:
            t.join()
    finally:
        echo_hi.close()
        echo_lo.close()
    sent = [b - a for a, b in zip(s0["band_bytes"], s1["band_bytes"])]
    share = sent[0] / (sent[0] + sent[2])
    wire_bps = 8 * sum(sent) / (t1 - t0)
    st = netlink.stats(pair.dev_a, netns=pair.ns_a)
    data = {"window_band_bytes": sent, "high_share": share, "wire_bps": wire_bps,
            "high_iperf3_bps": received_bps(results[HIGH_PORT]),
            "rtt_high_ms": rtts[7001], "rtt_low_ms": rtts[7002],
            "band_packets": st["band_packets"], "band_drops": st["band_drops"]}
    _record("strict", data)
    # The marked flow's packets went to band 0, the others to band 2.
    assert st["band_packets"][0] > 100 and st["band_packets"][2] > 100, data
    assert share >= STRICT_MIN_SHARE, data
    # The EF flow alone had the root rate (goodput: payload per wire byte).
    high_bps = received_bps(results[HIGH_PORT])
    assert abs(high_bps / (ROOT_MBIT * 1e6 * MSS / WIRE) - 1) <= RATE_TOLERANCE, data
    # Band 2's probes (sent while both flows run) wait behind band 0's
    # backlog, or are lost (counted as 1 s); band 0's do not.
    assert median(rtts[7002]) > 2 * median(rtts[7001]) + 2, data
    assert st["early_packets"] == 0
    assert st["dequeued"] + st["drops"] + st["qlen"] == st["enqueued"]


def test_weights_share_the_root_rate(marked):
    pair = marked
    eiffel("qdisc", "add", pair.dev_a, "-n", pair.ns_a, "rate", f"{ROOT_MBIT}mbit",
           "weights", ",".join(map(str, WEIGHTS)))
    res = concurrent_iperf3(pair.ns_a, pair.ip_b,
                            {LOW_PORT: ["-O", "1"], HIGH_PORT: ["-O", "1"]}, SECONDS)
    hi, lo = received_bps(res[HIGH_PORT]), received_bps(res[LOW_PORT])
    want = WEIGHTS[0] / (WEIGHTS[0] + WEIGHTS[2])
    data = {"high_bps": hi, "low_bps": lo, "high_share": hi / (hi + lo), "want": want}
    _record("weights", data)
    assert abs(hi / (hi + lo) - want) <= WEIGHT_SHARE_TOLERANCE, data
    assert abs((hi + lo) / (ROOT_MBIT * 1e6 * MSS / WIRE) - 1) <= WEIGHTS_TOTAL_TOLERANCE, data


def test_paced_flow_under_root_rate(marked):
    """Decoupled shaping: a flow paced at 7 Mbit/s (SO_MAX_PACING_RATE, in
    band 0) under a 10 Mbit/s root; the unlimited flow (band 2) gets the rest."""
    pair = marked
    eiffel("qdisc", "add", pair.dev_a, "-n", pair.ns_a, "rate", "10mbit")
    res = concurrent_iperf3(pair.ns_a, pair.ip_b, {
        HIGH_PORT: ["-O", "1", "--fq-rate", "7M"], LOW_PORT: ["-O", "1"]}, SECONDS)
    paced, other = received_bps(res[HIGH_PORT]), received_bps(res[LOW_PORT])
    data = {"paced_bps": paced, "other_bps": other, "total_bps": paced + other}
    _record("hierarchy", data)
    # TCP stamps the paced flow's departure times itself (EDT) from its TSO
    # skbs' length, headers once: 7 Mbit/s is (nearly) its goodput.  The
    # root counts every segment's headers on the wire.
    assert abs(paced / 7e6 - 1) <= RATE_TOLERANCE, data
    assert abs((paced + other) / (10e6 * MSS / WIRE) - 1) <= RATE_TOLERANCE, data


def test_every_option_round_trips_through_show_json(ko_loaded, netns_pair):
    pair = netns_pair
    words = ["limit", "5000", "flow_limit", "50", "quantum", "3028", "initial_quantum", "15140",
             "maxrate", "1gbit", "rate", "100mbit", "buckets", "2048", "refill_delay", "20ms",
             "orphan_mask", "511", "low_rate_threshold", "1mbit", "ce_threshold", "5ms",
             "timer_slack", "20us", "horizon", "5s", "horizon_cap", "granularity", "100us",
             "dscp_map", "diffserv8", "weights", "8,7,6,5,4,3,2,1", "band_limit", "300",
             "nopacing"]
    eiffel("qdisc", "add", pair.dev_a, "-n", pair.ns_a, *words)
    opts = _show(pair)["options"]
    assert opts == {
        "limit": 5000, "flow_limit": 50, "quantum": 3028, "initial_quantum": 15140,
        "maxrate": 125_000_000, "rate": 12_500_000, "buckets": 2048, "refill_delay": 20_000_000,
        "orphan_mask": 511, "low_rate_threshold": 125_000, "ce_threshold": 5_000_000,
        "timer_slack": 20_000, "horizon": 5_000_000_000, "horizon_drop": False,
        "granularity": 100_000, "bands": 8, "dscp_map": dscp.preset_map("diffserv8"),
        "default_band": dscp.preset_map("diffserv8")[0], "weights": [8, 7, 6, 5, 4, 3, 2, 1],
        "band_limit": 300, "pacing": False,
    }
    # A custom map and strict priority again, through change.
    eiffel("qdisc", "change", pair.dev_a, "-n", pair.ns_a, "dscp_map", "EF=0,CS1=2,default=1",
           "weights", "strict")
    want = [1] * 64
    want[46], want[8] = 0, 2
    opts = _show(pair)["options"]
    assert opts["dscp_map"] == want and opts["weights"] == [] and opts["bands"] == 8
    text = eiffel("qdisc", "show", pair.dev_a, "-n", pair.ns_a, "-s").stdout
    assert "rate 100Mbit" in text and "weights strict" in text and "band 7:" in text, text


def test_bad_options_refused_config_kept(ko_loaded, netns_pair):
    pair = netns_pair
    eiffel("qdisc", "add", pair.dev_a, "-n", pair.ns_a, "rate", "20mbit", "weights", "4,3,2,1")
    before = _show(pair)["options"]
    # The CLI checks what it can, naming the value and the range.
    for words, message in [
        (["bands", "9"], "bands must be 1 to 8, not 9"),
        (["weights", "4,0,2,1"], "must be 1 to 16777216, not 0"),
        (["dscp_map", "64=0"], "64"),
        (["bands", "4", "dscp_map", "EF=5"], "outside the valid range 0..3"),
        # change does not ask the qdisc its band count: a list says where the rest go.
        (["dscp_map", "EF=0"], "must say where the codepoints it does not list go (default=BAND)"),
        (["rate", "fast"], "rate: cannot parse 'fast'"),
        (["limit"], "limit needs a value"),
    ]:
        p = eiffel("qdisc", "change", pair.dev_a, "-n", pair.ns_a, *words, check=False)
        assert p.returncode == 2 and message in p.stderr, (words, p.stderr)
    # What only the kernel knows (its band count) comes back as its extack message.
    for words in (["bands", "3"], ["dscp_map", "EF=5,default=1"]):
        p = eiffel("qdisc", "change", pair.dev_a, "-n", pair.ns_a, *words, check=False)
        assert p.returncode == 1 and "dscp_map sends" in p.stderr, p.stderr
    # Straight through netlink, unchecked: the kernel refuses each.
    for bad, message in [({"dscp_map": [9] * 64}, "dscp_map sends"),
                         ({"weights": [4, 0, 2, 1]}, "each weight must be 1 to"),
                         ({"bands": 9}, "bands must be 1 to 8")]:
        with pytest.raises(netlink.QdiscError) as exc:
            netlink.change(pair.dev_a, netns=pair.ns_a, validate=False, limit=7, **bad)
        assert message in exc.value.strerror, exc.value.strerror
    assert _show(pair)["options"] == before
