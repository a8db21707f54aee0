"""`eiffel qdisc`: option words, their checks and the printed forms (no kernel)."""

import argparse
import io
import json

import pytest

from eiffel import cli, dscp
from eiffel.cli import qdisc as qdisc_cli
from eiffel.qdisc import netlink
from eiffel.qdisc import words as qdisc_opts


def test_fq_style_words_to_netlink_options():
    opts = qdisc_opts.parse_words(
        "limit 10000 flow_limit 100 quantum 3028 maxrate 1gbit rate 100mbit horizon 10s "
        "horizon_cap granularity 100us buckets 1024 weights 3000,1000,1000,1000".split())
    assert opts == {
        "limit": 10000, "flow_limit": 100, "quantum": 3028, "maxrate": 125_000_000,
        "rate": 12_500_000, "horizon": 10_000_000_000, "horizon_drop": False,
        "granularity": 100_000, "buckets": 1024, "weights": [3000, 1000, 1000, 1000],
    }


@pytest.mark.parametrize("preset", sorted(dscp.PRESETS))
def test_preset_sets_map_bands_and_default_band(preset):
    opts = qdisc_opts.parse_words(["dscp_map", preset])
    assert opts["dscp_map"] == dscp.preset_map(preset)
    assert opts["bands"] == dscp.preset_bands(preset)
    assert opts["default_band"] == dscp.preset_map(preset)[0]


def test_map_list_uses_given_or_current_bands():
    opts = qdisc_opts.parse_words(["bands", "2", "dscp_map", "EF=0,default=1"])
    assert opts["dscp_map"][46] == 0 and opts["dscp_map"].count(1) == 63
    # Without bands: the qdisc's current count (default 4), unlisted -> last band.
    assert qdisc_opts.parse_words(["dscp_map", "EF=0"], current_bands=3)["dscp_map"][0] == 2
    assert qdisc_opts.parse_words(["dscp_map", "EF=0"])["dscp_map"][0] == 3


@pytest.mark.parametrize("words,message", [
    (["bands", "9"], "bands must be 1 to 8, not 9"),
    (["bands", "0"], "bands must be 1 to 8, not 0"),
    (["weights", "3,0"], "weights[1] (bytes per round of band 1) must be 1 to 16777216, not 0"),
    (["weights", "3,x"], "weights: 'x' is not a whole number"),
    (["dscp_map", "EF=4"], "band '4' is outside the valid range 0..3"),
    (["dscp_map", "64=0"], "64"),
    (["dscp_map", "diffserv3", "bands", "4"], "dscp_map diffserv3 has 3 bands, but bands is 4"),
    (["limit", "0"], "limit must be 1 to 4294967295, not 0"),
    (["limit"], "limit needs a value"),
    (["limit", "5", "limit", "6"], "limit is given twice"),
    (["horizon_cap", "horizon_drop"], "horizon_drop contradicts an earlier option"),
    (["rate", "10furlong"], "unknown rate unit 'furlong'"),
    (["granularity", "2s"], "granularity must be 1 to 1000000000, not 2000000000"),
    (["bogus", "1"], "unknown option 'bogus' (valid: band_limit, bands"),
])
def test_bad_words_name_the_value_and_range(words, message):
    with pytest.raises(ValueError) as exc:
        qdisc_opts.parse_words(words)
    assert message in str(exc.value)


def test_none_words():
    opts = qdisc_opts.parse_words(
        "rate unlimited maxrate unlimited ce_threshold off band_limit none weights strict".split())
    assert opts == {"rate": None, "maxrate": None, "ce_threshold": None,
                    "band_limit": None, "weights": []}


DUMP = {
    "limit": 10000, "flow_limit": 100, "quantum": 3028, "initial_quantum": 15140,
    "pacing": True, "maxrate": None, "buckets": 1024, "refill_delay": 40_000_000,
    "orphan_mask": 1023, "low_rate_threshold": 68750, "ce_threshold": None,
    "timer_slack": 10_000, "horizon": 10_000_000_000, "horizon_drop": True,
    "granularity": 65536, "bands": 4, "dscp_map": dscp.preset_map("diffserv4"),
    "default_band": 2, "weights": [], "rate": 6_250_000, "band_limit": None,
}


def test_format_options_reads_like_tc():
    line = qdisc_opts.format_options(DUMP)
    assert line.startswith("limit 10000p flow_limit 100p buckets 1024 ")
    assert "quantum 3028b" in line and "horizon 10s horizon_drop" in line
    assert "rate 50Mbit bands 4 dscp_map diffserv4 default_band 2 weights strict" in line
    assert "maxrate" not in line and "band_limit" not in line
    custom = dict(DUMP, dscp_map=[1] * 46 + [0] + [1] * 17, bands=2, weights=[3, 1])
    line = qdisc_opts.format_options(custom)
    assert "dscp_map EF=0,default=1" in line and "weights 3,1" in line


def _stats():
    st = {name: i for i, name in enumerate(n for n, _ in netlink.XSTATS_FIELDS)}
    for name in ("band_packets", "band_bytes", "band_drops", "band_qlen"):
        st[name] = [10 * b + 1 for b in range(8)]
    st.update(bytes=1000, packets=10, drops=1, overlimits=0, requeues=0, qlen=2, backlog=3000)
    return st


def test_format_stats_per_band():
    text = qdisc_opts.format_stats(_stats(), 3)
    assert text.splitlines()[0] == " Sent 1000 bytes 10 pkt (dropped 1, overlimits 0 requeues 0)"
    assert "  band 2: packets 21 bytes 21 drops 21 qlen 21" in text
    assert "band 3:" not in text and "rate_delays" in text


def _args(argv):
    parser = cli.build_parser()
    args = parser.parse_args(["qdisc", *argv])
    sub = parser._subparsers._group_actions[0].choices["qdisc"]
    return sub, args


def test_show_json_and_flags_after_the_device(monkeypatch, tmp_path):
    monkeypatch.setattr(qdisc_cli, "NETNS_DIR", tmp_path)
    (tmp_path / "ns1").touch()
    calls = []
    monkeypatch.setattr(netlink, "dump", lambda dev, **kw: calls.append((dev, kw)) or DUMP)
    monkeypatch.setattr(netlink, "stats", lambda dev, **kw: _stats())
    sub, args = _args(["show", "veth0", "-n", "ns1", "--json"])
    out = io.StringIO()
    assert qdisc_cli.run(sub, args, out) == 0
    shown = json.loads(out.getvalue())
    assert shown["options"] == DUMP and shown["stats"]["band_packets"][0] == 1
    assert calls == [("veth0", {"netns": "ns1", "parent": None, "handle": None})]


def test_add_sends_parsed_options(monkeypatch):
    sent = []
    monkeypatch.setattr(netlink, "add", lambda dev, **kw: sent.append((dev, kw)))
    sub, args = _args(["add", "eth0", "rate", "20mbit", "dscp_map", "besteffort"])
    assert qdisc_cli.run(sub, args) == 0
    assert sent == [("eth0", {"netns": None, "parent": None, "handle": None, "rate": 2_500_000,
                              "dscp_map": [0] * 64, "bands": 1, "default_band": 0})]


def test_kernel_refusal_prints_extack_and_fails(monkeypatch, capsys):
    def refuse(dev, **kw):
        raise netlink.QdiscError(22, "dscp_map sends DSCP 0 to band 2, but bands is 2")

    monkeypatch.setattr(netlink, "change", refuse)
    monkeypatch.setattr(netlink, "dump", lambda dev, **kw: DUMP)
    sub, args = _args(["change", "eth0", "bands", "2"])
    assert qdisc_cli.run(sub, args) == 1
    assert "dscp_map sends DSCP 0 to band 2" in capsys.readouterr().err


def test_bad_value_is_a_usage_error(capsys):
    sub, args = _args(["add", "eth0", "weights", "1,0"])
    with pytest.raises(SystemExit) as exc:
        qdisc_cli.run(sub, args)
    assert exc.value.code == 2
    assert "not 0" in capsys.readouterr().err


def test_missing_namespace_is_refused_not_created(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(qdisc_cli, "NETNS_DIR", tmp_path)
    sub, args = _args(["show", "eth0", "-n", "nosuch"])
    with pytest.raises(SystemExit):
        qdisc_cli.run(sub, args)
    assert "no network namespace 'nosuch'" in capsys.readouterr().err


def test_show_takes_no_options():
    sub, args = _args(["show", "eth0", "limit", "5"])
    with pytest.raises(SystemExit):
        qdisc_cli.run(sub, args)
    assert isinstance(sub, argparse.ArgumentParser)
