"""README.md's worked example (DSCP bands) runs as written (in the VM's netns pair)."""

from __future__ import annotations

import re
from pathlib import Path

from bands_traffic import ENV, load_netfilter
from conftest import run

DOC = Path(__file__).resolve().parents[2] / "README.md"


def example_script() -> str:
    text = DOC.read_text()
    m = re.search(r"<!-- worked-example -->\s*```sh\n(.*?)```", text, re.S)
    assert m, "README.md has no worked example block"
    return m.group(1)


def test_worked_example_runs_as_written(ko_loaded, netns_pair):
    load_netfilter()
    p = run(["bash", "-e", "-c", example_script()], env=ENV, timeout=120)
    out = p.stdout
    # Both flows ran at once; the EF one (band 0) got 3/4 by the weights.
    rates = re.findall(r"([\d.]+) Mbits/sec\s+receiver", out)
    assert len(rates) == 2, out
    high, low = map(float, rates)
    assert abs(high / (high + low) - 0.75) <= 0.08, out
    assert abs((high + low) / (20 * 1448 / 1514) - 1) <= 0.08, out
    sent = {int(b): int(n) for b, n in re.findall(r"band (\d): packets \d+ bytes (\d+)", out)}
    assert abs(sent[0] / (sent[0] + sent[2]) - 0.75) <= 0.08, out
    assert "rate 20Mbit bands 4 dscp_map diffserv4 default_band 2 weights 30000,10000" in out, out
    # The clean-up removed the qdisc and the rules.
    assert "eiffel" not in run(["tc", "qdisc", "show", "dev", netns_pair.dev_a],
                               ns=netns_pair.ns_a).stdout
    results = Path(ENV.get("EIFFEL_VM_RESULTS", "/nonexistent"))
    if results.is_dir():
        (results / f"qdisc-doc-example-{ENV.get('EIFFEL_KERNEL', 'unknown')}.txt").write_text(out)
