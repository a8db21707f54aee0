"""tc qdisc del, then rmmod, with packets still queued and flows throttled:
everything is freed (the flow slab cache must be empty at rmmod, or the
kernel warns) and the kernel log stays clean (the dmesg_clean fixture)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eiffel.qdisc import netlink

MODULE = "sch_eiffel"
TOOLS = Path(__file__).resolve().parent / "eiffel_traffic.py"


def test_del_then_rmmod_is_clean(ko, netns_pair, run, dmesg):
    pair = netns_pair
    if not Path("/sys/module", MODULE).is_dir():
        run(["insmod", str(ko)])
    netlink.add(pair.dev_a, netns=pair.ns_a, limit=500)
    # Held for 9 s (SO_TXTIME, within the 10 s horizon): still queued, in
    # throttled flows, when the qdisc is deleted.
    hold = str(9_000_000_000)
    out = run([sys.executable, TOOLS, "blast", pair.ip_b, "9500", "5", "20", "300", hold],
              ns=pair.ns_a)
    assert json.loads(out.stdout)["sent"] > 50
    st = netlink.stats(pair.dev_a, netns=pair.ns_a)
    assert st["qlen"] > 0 and st["throttled_flows"] > 0 and st["flows"] >= 5
    pair.run_a(["tc", "qdisc", "del", "dev", pair.dev_a, "root"])
    # Namespaces of earlier tests may still be going away and hold the module.
    for _ in range(40):
        if run(["rmmod", MODULE], check=False).returncode == 0:
            break
        run(["sleep", "0.5"])
    assert not Path("/sys/module", MODULE).is_dir()
    assert not any("eiffel" in line and "still has objects" in line for line in dmesg())
    # Back for the session fixture, which unloads it at the end once more.
    run(["insmod", str(ko)])
