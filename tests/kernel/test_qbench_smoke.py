"""Smoke test of the synthetic-skb microbenchmark (benchmarks/kernel/qbench).

eiffel_qbench.ko drives the root qdisc of a dummy device with skbs of a few
flows whose send times lie in the future (see its source).  At toy size,
against eiffel, fq and pfifo, this checks what the benchmark relies on, not
timing: every packet comes back, none before its time (pfifo ignores time,
and the module must notice), nothing is dropped or foreign, the qdisc's own
counters agree (tc -s: sent == enqueued, backlog 0), N flows are N flows in
fq and eiffel, neither of them returns nothing while a packet is due, and
bad parameters are refused with the value and the valid range in the kernel
log.  The autouse
dmesg check fails any run that logs a WARNING, BUG or Oops.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "kernel"))
import qbench  # noqa: E402

# A 20 ms gap: pfifo's early packets stay early even if the guest stalls.
TOY = {"pkts": 3, "gap_us": 20000, "lead_us": 20000, "poll_us": 20, "seed": 7,
       "pkt_len": 1514, "timeout_s": 30}


@pytest.fixture(scope="module")
def dummy(qbench_ko, ko_loaded):
    """The dummy device with the module loaded (sch_eiffel by ko_loaded;
    setup modprobes dummy and sch_fq)."""
    qbench.setup(str(qbench_ko), None)
    yield qbench.DEV
    qbench.teardown()


@pytest.mark.parametrize("flows", [1, 50, 300])
@pytest.mark.parametrize("qdisc", qbench.QDISCS)
def test_every_packet_comes_back(dummy, qdisc, flows):
    qbench.attach(qdisc, limit=2000, flow_limit=100)
    row = qbench.run_once(flows=flows, **TOY)
    packets = flows * TOY["pkts"]
    assert row["qdisc"] == qdisc and row["status"] == 0
    assert row["packets"] == packets
    assert row["dropped"] == 0 and row["tc_drops"] == 0
    assert row["foreign"] == 0 and row["dequeued"] == packets
    # The qdisc's own counters balance with what the module saw.
    assert row["tc_sent"] == packets
    assert row["qlen_end"] == 0 and row["backlog_end"] == 0 and row["tc_backlog_packets"] == 0
    assert row["due_at_start"] == 0  # the lead covered the enqueue
    # The orphan mask keeps every flow apart (idle flows stay in the table).
    if qdisc != "pfifo":
        assert qbench.flow_count(qdisc) == flows
    if qdisc == "pfifo":
        # The drain starts when the first packet is due: a FIFO hands out
        # most of the others early, and the module must count them.
        assert 0 < row["early"] < packets
    else:
        assert row["early"] == 0
        # Neither pacing qdisc returns NULL while a packet is due (eiffel
        # looks behind a not-yet-due flow in its FIFO cFFS bucket).
        assert row["held"] == 0, row
    assert row["enq_ns"] > 0 and row["deq_ns"] > 0 and row["null_calls"] > 0


@pytest.mark.parametrize("param, value, message", [
    ("flows", 0, "flows=0 out of range 1..131072"),
    ("pkts", 5000, "pkts=5000 out of range 1..1024"),
    ("gap_us", 0, "gap_us=0 out of range 1..1000000"),
])
def test_bad_parameters_are_refused(dummy, dmesg, param, value, message):
    qbench.attach("fq", limit=2000, flow_limit=100)
    dmesg()
    with pytest.raises(OSError) as e:
        qbench.run_once(**{**TOY, "flows": 10, param: value})
    assert e.value.errno == errno.EINVAL
    assert any(message in line for line in dmesg())
    qbench.run_once(flows=10, **TOY)  # and the module still works


def test_refuses_a_lockless_root(dummy, dmesg):
    """pfifo_fast is lockless (TCQ_F_NOLOCK): the module cannot hold it still."""
    qbench.sh("tc", "qdisc", "replace", "dev", dummy, "root", "pfifo_fast")
    dmesg()
    with pytest.raises(OSError) as e:
        qbench.run_once(flows=10, **TOY)
    assert e.value.errno == errno.EOPNOTSUPP
    assert any("lockless" in line for line in dmesg())
