"""`eiffel qdisc` without a kernel and without pyroute2: the netlink client
is replaced by a recorder, so these run with no extras installed."""

from __future__ import annotations

import io
import json
import sys
import types

import pytest

import eiffel.qdisc
from eiffel import cli
from eiffel.cli import qdisc as qdisc_cli
from eiffel.qdisc import uapi
from eiffel.qdisc.options import Options

def _stats():
    st = {f.name: [1] * f.length if f.length else 0 for f in uapi.XSTATS}
    st.update(bytes=1000, packets=10, drops=1, overlimits=0, requeues=0, qlen=2, backlog=3000)
    return st


class FakeNetlink(types.ModuleType):
    """Stands in for eiffel.qdisc.netlink: records requests, answers dumps."""

    def __init__(self, dumped, refuse=None):
        super().__init__("eiffel.qdisc.netlink")
        self.calls, self.dumped, self.refuse = [], dumped, refuse
        for action in ("add", "change", "replace", "delete"):
            setattr(self, action, self._recorder(action))

    def _recorder(self, action):
        def request(dev, options=None, **where):
            self.calls.append((action, dev, options, where))
            if self.refuse:
                raise OSError(22, self.refuse)

        return request

    def dump(self, dev, **where):
        self.calls.append(("dump", dev, None, where))
        return self.dumped

    def stats(self, dev, **where):
        self.calls.append(("stats", dev, None, where))
        return _stats()


def _install(monkeypatch, netlink):
    # Both where `from eiffel.qdisc import netlink` looks: the package, then sys.modules.
    monkeypatch.setattr(eiffel.qdisc, "netlink", netlink, raising=False)
    monkeypatch.setitem(sys.modules, "eiffel.qdisc.netlink", netlink)
    return netlink


@pytest.fixture
def fake(monkeypatch, qdisc_dump):
    return _install(monkeypatch, FakeNetlink(qdisc_dump))


def _args(argv):
    parser = cli.build_parser(["qdisc"])
    args = parser.parse_args(["qdisc", *argv])
    sub = parser._subparsers._group_actions[0].choices["qdisc"]
    return sub, args


NOWHERE = {"netns": None, "parent": None, "handle": None}


def test_show_json_and_flags_after_the_device(fake, monkeypatch, tmp_path):
    monkeypatch.setattr(qdisc_cli, "NETNS_DIR", tmp_path)
    (tmp_path / "ns1").touch()
    sub, args = _args(["show", "veth0", "-n", "ns1", "--json"])
    out = io.StringIO()
    assert qdisc_cli.run(sub, args, out) == 0
    shown = json.loads(out.getvalue())
    assert shown["options"] == fake.dumped and shown["stats"]["band_packets"][0] == 1
    where = {"netns": "ns1", "parent": None, "handle": None}
    assert fake.calls == [("dump", "veth0", None, where), ("stats", "veth0", None, where)]


def test_show_prints_tc_style_lines(fake):
    sub, args = _args(["show", "eth0", "-s"])
    out = io.StringIO()
    assert qdisc_cli.run(sub, args, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("qdisc eiffel dev eth0 limit 10000p flow_limit 100p ")
    assert lines[1].startswith(" Sent 1000 bytes 10 pkt") and lines[-1].startswith("  band 3: ")


def test_add_sends_the_options_it_parsed(fake):
    sub, args = _args(["add", "eth0", "rate", "20mbit", "dscp_map", "besteffort"])
    assert qdisc_cli.run(sub, args) == 0
    ((action, dev, options, where),) = fake.calls
    assert (action, dev, where) == ("add", "eth0", NOWHERE)
    assert isinstance(options, Options)
    assert dict(options) == {"rate": 2_500_000, "dscp_map": [0] * 64, "bands": 1, "default_band": 0}


def test_change_with_a_dscp_list_sends_one_request_and_no_dump(fake):
    sub, args = _args(["change", "eth0", "dscp_map", "EF=0,default=1"])
    assert qdisc_cli.run(sub, args) == 0
    ((action, _, options, _),) = fake.calls
    assert action == "change" and options["dscp_map"] == [1] * 46 + [0] + [1] * 17


def test_kernel_refusal_prints_extack_and_fails(monkeypatch, capsys, qdisc_dump):
    _install(monkeypatch, FakeNetlink(qdisc_dump, refuse="dscp_map sends DSCP 0 to band 2, but bands is 2"))
    sub, args = _args(["change", "eth0", "bands", "2"])
    assert qdisc_cli.run(sub, args) == 1
    assert capsys.readouterr().err == (
        "eiffel qdisc change: dscp_map sends DSCP 0 to band 2, but bands is 2\n")


def test_bad_value_is_a_usage_error_and_sends_nothing(fake, capsys):
    sub, args = _args(["add", "eth0", "weights", "1,0"])
    with pytest.raises(SystemExit) as exc:
        qdisc_cli.run(sub, args)
    assert exc.value.code == 2
    assert "not 0" in capsys.readouterr().err
    assert fake.calls == []


def test_missing_namespace_is_refused_not_created(fake, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(qdisc_cli, "NETNS_DIR", tmp_path)
    sub, args = _args(["show", "eth0", "-n", "nosuch"])
    with pytest.raises(SystemExit):
        qdisc_cli.run(sub, args)
    assert "no network namespace 'nosuch'" in capsys.readouterr().err


@pytest.mark.parametrize("action", ["show", "del"])
def test_show_and_del_take_no_options(fake, action):
    sub, args = _args([action, "eth0", "limit", "5"])
    with pytest.raises(SystemExit):
        qdisc_cli.run(sub, args)
    assert fake.calls == []


def test_without_pyroute2_one_line_names_the_extra(monkeypatch, capsys):
    for name in ("netlink", "plugin"):
        monkeypatch.delattr(eiffel.qdisc, name, raising=False)
        monkeypatch.delitem(sys.modules, f"eiffel.qdisc.{name}", raising=False)
    monkeypatch.setitem(sys.modules, "pyroute2", None)  # import pyroute2 now fails
    assert cli.main(["qdisc", "show", "lo"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("eiffel qdisc: ")
    assert err.rstrip().endswith("needs pyroute2: pip install 'eiffel[netlink]'")
