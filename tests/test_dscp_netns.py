"""`eiffel dscp mark --apply/--delete` for real, in throwaway network namespaces.

Each test gets its own namespace (`ip netns add`), so the host's firewall
is never touched.  Packets are checked on the wire: dscp_tos_probe.py sends
traffic over the namespace's loopback and reads the DSCP of every packet.
Needs root, and iptables, nftables and iproute2 installed: without root
the tests are skipped, without the tools they fail saying what to install.
"""

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).resolve().parent / "dscp_tos_probe.py"
TOOLS = {"ip": "iproute2", "iptables": "iptables", "ip6tables": "iptables", "nft": "nftables"}
EF, CS1, AF41, LE = 46, 8, 34, 1  # RFC 3246, 2474, 2597, 8622

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root to create network namespaces and change their firewall"
)
_names = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def tools():
    missing = sorted(tool for tool in TOOLS if shutil.which(tool) is None)
    if missing:
        packages = " ".join(sorted({TOOLS[tool] for tool in missing}))
        pytest.fail(f"{', '.join(missing)} not installed: apt-get install {packages}", pytrace=False)


@pytest.fixture
def netns():
    name = f"eiffel-dscp-test-{os.getpid()}-{next(_names)}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=True)


def in_netns(ns, *command, env=None):
    return subprocess.run(["ip", "netns", "exec", ns, *command],
                          capture_output=True, text=True, env=env)  # fmt: skip


def eiffel_mark(ns, *args, env=None):
    return in_netns(ns, sys.executable, "-m", "eiffel", "dscp", "mark", *args, env=env)


def probe(ns, version, protocol, port):
    result = in_netns(ns, sys.executable, str(PROBE), str(version), protocol, str(port))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["to_port"], f"the probe saw no IPv{version} {protocol} packets to port {port}"
    return seen


def firewall_state(ns):
    """Everything a marking could leave behind, as text."""
    rules = [in_netns(ns, tool, "-t", "mangle", "-S").stdout for tool in ("iptables", "ip6tables")]
    tables = in_netns(ns, "nft", "list", "tables").stdout
    return "".join(rules) + tables


def assert_clean(ns):
    state = firewall_state(ns)
    assert "eiffel" not in state, state


@pytest.mark.parametrize("backend", ["iptables", "nft"])
def test_apply_marks_tcp_to_the_port_in_both_families_and_delete_unmarks(netns, backend):
    port = 5201
    mark = ["--class", "EF", "--proto", "tcp", "--dport", str(port), "--backend", backend]
    applied = eiffel_mark(netns, *mark, "--apply")
    assert applied.returncode == 0, applied.stderr
    for version in (4, 6):
        seen = probe(netns, version, "tcp", port)
        assert set(seen["to_port"]) == {EF}
        assert set(seen["from_port"]) == {0}  # the replies have sport 5201: not marked
    deleted = eiffel_mark(netns, *mark, "--delete")
    assert deleted.returncode == 0, deleted.stderr
    assert_clean(netns)
    for version in (4, 6):
        assert set(probe(netns, version, "tcp", port)["to_port"]) == {0}


@pytest.mark.parametrize("backend", ["iptables", "nft"])
def test_an_address_limits_the_marking_to_its_family(netns, backend):
    mark = ["--class", "cs1", "--proto", "udp", "--dport", "6000", "--dst", "127.0.0.1",
            "--backend", backend]  # fmt: skip
    assert eiffel_mark(netns, *mark, "--apply").returncode == 0
    assert set(probe(netns, 4, "udp", 6000)["to_port"]) == {CS1}
    assert set(probe(netns, 6, "udp", 6000)["to_port"]) == {0}
    assert eiffel_mark(netns, *mark, "--delete").returncode == 0
    assert_clean(netns)


@pytest.mark.parametrize("backend", ["iptables", "nft"])
def test_two_flows_get_two_dscps(netns, backend):
    # What the qdisc's VM test does: one TCP flow per DSCP.
    for dscp, port in (("EF", 5301), ("AF41", 5302)):
        result = eiffel_mark(netns, "--class", dscp, "--proto", "tcp", "--dport", str(port),
                             "--backend", backend, "--apply")  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert set(probe(netns, 4, "tcp", 5301)["to_port"]) == {EF}
    assert set(probe(netns, 4, "tcp", 5302)["to_port"]) == {AF41}
    assert eiffel_mark(netns, "--class", "EF", "--proto", "tcp", "--dport", "5301",
                       "--backend", backend, "--delete").returncode == 0  # fmt: skip
    assert set(probe(netns, 4, "tcp", 5301)["to_port"]) == {0}
    assert set(probe(netns, 4, "tcp", 5302)["to_port"]) == {AF41}


@pytest.mark.parametrize("backend", ["iptables", "nft"])
@pytest.mark.parametrize("version", [4, 6])
def test_in_marks_arriving_packets_and_out_marks_leaving_ones(netns, backend, version):
    # On lo a packet is sniffed between POSTROUTING and PREROUTING; the
    # receiving socket reports what it has after PREROUTING.
    inbound = ["--class", "LE", "--proto", "udp", "--dport", "6100", "--in", "--backend", backend]
    outbound = ["--class", "EF", "--proto", "udp", "--dport", "6200", "--out", "--backend", backend]
    for mark in (inbound, outbound):
        result = eiffel_mark(netns, *mark, "--apply")
        assert result.returncode == 0, result.stderr
    arriving = probe(netns, version, "udp", 6100)
    assert set(arriving["to_port"]) == {0} and arriving["received"] == [LE] * 3
    leaving = probe(netns, version, "udp", 6200)
    assert set(leaving["to_port"]) == {EF} and leaving["received"] == [EF] * 3
    for mark in (inbound, outbound):
        assert eiffel_mark(netns, *mark, "--delete").returncode == 0
    assert_clean(netns)
    assert probe(netns, version, "udp", 6100)["received"] == [0] * 3


def test_in_direction_rules_go_to_prerouting(netns):
    mark = ["--class", "LE", "--src", "2001:db8::/32", "--in"]
    assert eiffel_mark(netns, *mark, "--apply").returncode == 0
    assert eiffel_mark(netns, *mark, "--backend", "nft", "--apply").returncode == 0
    rules = in_netns(netns, "ip6tables", "-t", "mangle", "-S", "PREROUTING").stdout
    assert ('-A PREROUTING -s 2001:db8::/32 -m comment --comment "eiffel-dscp le src 2001:db8::/32 in" '
            "-j DSCP --set-dscp 0x01") in rules  # fmt: skip
    ruleset = json.loads(in_netns(netns, "nft", "-j", "list", "ruleset").stdout)["nftables"]
    chains = [item["chain"] for item in ruleset if "chain" in item]
    ours = [c for c in chains if c["table"] == "eiffel_dscp_le_src_2001-db8--/32_in"]
    assert [(c["family"], c["hook"], c["prio"]) for c in ours] == [("inet", "prerouting", -150)]
    for backend in ("iptables", "nft"):
        assert eiffel_mark(netns, *mark, "--backend", backend, "--delete").returncode == 0
    assert_clean(netns)


@pytest.mark.parametrize("backend", ["iptables", "nft"])
def test_applying_twice_is_refused_and_delete_then_removes_it(netns, backend):
    mark = ["--class", "EF", "--backend", backend]
    assert eiffel_mark(netns, *mark, "--apply").returncode == 0
    before = firewall_state(netns)
    again = eiffel_mark(netns, *mark, "--apply")
    assert again.returncode == 1 and "already in place" in again.stderr
    assert firewall_state(netns) == before
    assert eiffel_mark(netns, *mark, "--delete").returncode == 0
    assert_clean(netns)


@pytest.mark.parametrize("backend", ["iptables", "nft"])
def test_deleting_what_is_not_there_fails_with_the_tools_message(netns, backend):
    result = eiffel_mark(netns, "--class", "EF", "--backend", backend, "--delete")
    assert result.returncode == 1
    expected = "Bad rule" if backend == "iptables" else "No such file or directory"
    assert expected in result.stderr
    assert_clean(netns)


@pytest.mark.parametrize("backend, tool", [("iptables", "ip6tables"), ("nft", "nft")])
def test_a_failing_ipv6_step_rolls_back_the_ipv4_one(netns, tmp_path, backend, tool):
    # A wrapper in front of the real tool that refuses only the IPv6 rule.
    wrapper = tmp_path / tool
    wrapper.write_text(
        "#!/bin/sh\n"
        'case "$*" in *" -A "*|*"ip6 dscp"*) echo "injected failure" >&2; exit 1;; esac\n'
        f'exec {shutil.which(tool)} "$@"\n'
    )
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    result = eiffel_mark(netns, "--class", "EF", "--proto", "tcp", "--dport", "5201",
                         "--backend", backend, "--apply", env=env)  # fmt: skip
    assert result.returncode == 1
    assert "injected failure" in result.stderr and "rolled back" in result.stderr
    assert_clean(netns)
    assert set(probe(netns, 4, "tcp", 5201)["to_port"]) == {0}
