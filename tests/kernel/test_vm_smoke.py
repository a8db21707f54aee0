"""Is the test VM sane?  Exercises the harness before the qdisc exists."""

import os
import platform

import pytest


def test_kernel_is_the_one_under_test():
    flavour = os.environ["EIFFEL_KERNEL"]
    release = platform.release()
    assert release == os.environ["EIFFEL_KVER"]
    assert release.startswith(flavour + "."), (release, flavour)


def test_results_dir_is_writable():
    path = os.path.join(os.environ["EIFFEL_VM_RESULTS"], "smoke.txt")
    with open(path, "w") as f:
        f.write(platform.release() + "\n")


def test_intree_modules_load(modprobe_intree):
    for name in ("veth", "sch_fq", "sch_prio", "ifb"):
        modprobe_intree(name)
        assert os.path.isdir(f"/sys/module/{name}")


def test_veth_pair_pings(netns_pair, ping):
    ping(netns_pair.ns_a, netns_pair.ip_b)
    ping(netns_pair.ns_b, netns_pair.ip_a)


@pytest.mark.netns_pair(mtu=9000)
def test_netns_pair_mtu(netns_pair):
    out = netns_pair.run_a(["ip", "link", "show", netns_pair.dev_a]).stdout
    assert " mtu 9000 " in out


def test_fq_maxrate_holds_iperf3_near_100mbit(netns_pair, modprobe_intree, iperf3):
    modprobe_intree("sch_fq")
    netns_pair.run_a(f"tc qdisc add dev {netns_pair.dev_a} root fq maxrate 100mbit")
    result = iperf3(netns_pair.ns_a, netns_pair.ip_b, seconds=3)
    mbps = result["end"]["sum_sent"]["bits_per_second"] / 1e6
    assert 90 <= mbps <= 110, f"{mbps:.1f} Mbit/s through fq maxrate 100mbit"
    stats = netns_pair.run_a(f"tc -s qdisc show dev {netns_pair.dev_a}").stdout
    assert "maxrate 100Mbit" in stats

