"""The simulator: traces, workloads, the link loop, summaries, pcap and the CLI."""

import json
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eiffel.pifo import Node, Scheduler
from eiffel.policies import DRR, FIFO, SRPT, build
from eiffel.sim import (
    CDFS, PACKET_DTYPE, Trace, constant_rate, flow_table, make_packets, merge, on_off,
    poisson_flows, simulate, summarize, transmission_times,
)  # fmt: skip
from eiffel.cli import main as cli_main

# -- traces ---------------------------------------------------------------------


def test_a_trace_derives_flow_columns():
    trace = Trace(make_packets([0, 1, 2, 3, 4], [7, 3, 7, 7, 3], [100, 200, 300, 400, 500]))
    assert trace.flow_bytes.tolist() == [800, 700, 800, 800, 700]
    assert trace.attained.tolist() == [0, 0, 100, 400, 200]
    assert trace.remaining.tolist() == [800, 700, 700, 400, 500]
    assert trace.seq.tolist() == [0, 0, 1, 2, 1]
    assert trace.column("size") == [100, 200, 300, 400, 500]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(1, 3000)), max_size=50))
def test_derived_columns_match_a_running_count(rows):
    flows = [flow for flow, _ in rows]
    sizes = [size for _, size in rows]
    trace = Trace(make_packets(list(range(len(rows))), flows, sizes))
    sent, seen = {}, {}
    for i, (flow, size) in enumerate(rows):
        total = sum(s for f, s in rows if f == flow)
        assert trace.attained[i] == sent.get(flow, 0)
        assert trace.remaining[i] == total - sent.get(flow, 0)
        assert trace.flow_bytes[i] == total
        assert trace.seq[i] == seen.get(flow, 0)
        sent[flow] = sent.get(flow, 0) + size
        seen[flow] = seen.get(flow, 0) + 1


@pytest.mark.parametrize(
    "columns, message",
    [
        (dict(time=[5, 3], flow=[0, 0], size=[1, 1]), "packet 1 arrives at 3 ns, before packet 0"),
        (dict(time=[0, 1], flow=[0, 0], size=[1, 0]), "packet 1 has size 0, outside \\[1, "),
        (dict(time=[0, 1], flow=[0, -2], size=[1, 1]), "packet 1 has flow -2"),
        (dict(time=[-1], flow=[0], size=[1]), "times must be >= 0"),
    ],
)
def test_bad_traces_are_refused_with_the_packet_named(columns, message):
    with pytest.raises(ValueError, match=message):
        Trace(make_packets(columns["time"], columns["flow"], columns["size"]))


def test_a_trace_needs_every_field():
    packets = np.zeros(2, dtype=[("time", "i8"), ("flow", "i8")])
    with pytest.raises(ValueError, match="missing cls, deadline, dscp, size"):
        Trace(packets)


# -- workloads --------------------------------------------------------------------


def test_flow_size_cdfs_sample_their_mean():
    rng = np.random.default_rng(1)
    for cdf in CDFS.values():
        sizes = cdf.sample(400_000, rng)
        assert sizes.min() >= 1
        assert sizes.mean() == pytest.approx(cdf.mean, rel=0.05)
    assert CDFS["websearch"].mean == pytest.approx(1_711_250)


def test_poisson_flows_offer_the_load():
    rate = 10e9
    packets = poisson_flows("websearch", 0.5, rate, 3000, seed=3)
    assert packets.dtype == PACKET_DTYPE
    assert np.all(np.diff(packets["time"]) >= 0)
    span = packets["time"].max() - packets["time"].min()
    offered = packets["size"].sum() * 8e9 / span / rate
    assert offered == pytest.approx(0.5, rel=0.15)  # heavy-tailed: a loose check


def test_poisson_flows_sender_rate_spaces_a_flows_packets():
    packets = poisson_flows("datamining", 0.3, 1e9, 20, sender_rate=1e9, seed=2)
    for flow in np.unique(packets["flow"]):
        times = packets["time"][packets["flow"] == flow]
        assert np.all(np.diff(times) >= 12_000 - 1)  # 1500 B at 1 Gbit/s, floored


def test_workload_arguments_are_checked():
    with pytest.raises(ValueError, match="unknown flow-size distribution 'web'"):
        poisson_flows("web", 0.5, 1e9, 10)
    with pytest.raises(ValueError, match="load -1"):
        poisson_flows("websearch", -1, 1e9, 10)
    with pytest.raises(ValueError, match="flows 0"):
        poisson_flows("websearch", 0.5, 1e9, 0)


def test_constant_and_on_off_sources():
    packets = constant_rate(12e6, 10_000_000, size=1500)  # 1 ms apart for 10 ms
    assert np.diff(packets["time"]).tolist() == [1_000_000] * 9
    bursts = on_off(12e6, 3_000_000, 2_000_000, 20_000_000, size=1500)
    # on 3 ms (3 packets), off 2 ms, four periods
    assert len(bursts) == 12
    both = merge(packets, bursts)
    assert len(both) == 22 and np.all(np.diff(both["time"]) >= 0)


# -- the link -----------------------------------------------------------------------


def test_the_link_is_work_conserving_and_never_overlaps():
    packets = poisson_flows("websearch", 0.9, 1e9, 40, sender_rate=2e9, seed=5)
    trace = Trace(packets)
    result = simulate(trace, Scheduler(Node(DRR())), 1e9)
    start = result.start[result.order]
    end = result.departure[result.order]
    assert np.all(start[1:] >= end[:-1])  # one packet at a time
    assert np.all(result.start >= trace.packets["time"])  # never before arrival
    # idle only when nothing is queued: every gap starts at an arrival
    gaps = np.flatnonzero(start[1:] > end[:-1]) + 1
    assert np.all(np.isin(start[gaps], trace.packets["time"]))
    assert np.array_equal(result.departure - result.start, transmission_times(trace, 1e9))


def test_a_full_buffer_drops_the_arrival():
    trace = Trace(make_packets([0, 0, 0, 0, 5], [0, 1, 2, 3, 4], 1500))
    result = simulate(trace, Scheduler(Node(FIFO())), 1e9, buffer=2)
    assert result.dropped.tolist() == [False, False, True, True, False]
    assert result.order.tolist() == [0, 1, 4]
    summary = summarize(result)
    assert summary.drops == 2 and summary.incomplete_flows == 2


class _HeardFIFO(FIFO):
    """FIFO with a dequeue hook: the loop must go through the node."""

    def __init__(self):
        self.heard = []

    def dequeued(self, item, rank, now):
        self.heard.append(item)


def _every_admission_path():
    """FIFO through each of the loop's paths: static ranks straight into the
    queue, static ranks through the node (a hook), ranks per packet, a tree."""
    from eiffel.pifo import packet_policy

    return {
        "batchable, direct": Node(FIFO()),
        "batchable, hooked": Node(_HeardFIFO()),
        "one node": Node(packet_policy(lambda pkt, now: 0, bound=1)),
        "tree": Node(FIFO(), [Node(FIFO())], classify=lambda pkt: 0),
    }


@pytest.mark.parametrize("sender_rate", [None, 1e9])  # whole flows at once (bursts), or paced
def test_every_admission_path_gives_fifo_the_same_run(sender_rate):
    trace = Trace(poisson_flows("websearch", 0.9, 1e9, 60, sender_rate=sender_rate, seed=3))
    runs, paths = {}, {}
    for name, root in _every_admission_path().items():
        scheduler = Scheduler(root)
        runs[name] = simulate(trace, scheduler, 1e9, buffer=300)
        paths[name] = (scheduler.single, scheduler.batchable, root.hooked)
        if isinstance(root.policy, _HeardFIFO):
            assert root.policy.heard == runs[name].order.tolist()
    assert paths == {"batchable, direct": (True, True, False), "batchable, hooked": (True, True, True),
                     "one node": (True, False, False), "tree": (False, False, False)}
    first = runs["batchable, direct"]
    assert first.dropped.any() and not first.dropped.all()  # the buffer mattered
    for name, result in runs.items():
        assert np.array_equal(result.order, first.order), name
        assert np.array_equal(result.dropped, first.dropped), name
        assert np.array_equal(result.start, first.start), name


def test_bad_simulator_arguments():
    trace = Trace(make_packets([0], [0], 100))
    with pytest.raises(ValueError, match="link rate 0"):
        simulate(trace, Scheduler(Node(FIFO())), 0)
    with pytest.raises(ValueError, match="buffer 0"):
        simulate(trace, Scheduler(Node(FIFO())), 1e9, buffer=0)
    with pytest.raises(TypeError, match="Scheduler"):
        simulate(trace, Node(FIFO()), 1e9)


# -- summaries ----------------------------------------------------------------------


def test_a_flow_alone_has_slowdown_one():
    packets = merge(
        constant_rate(0.5e9, 1_000_000, flow=0),  # paced sender: alone FCT is its sending time
        constant_rate(1e9, 100_000, flow=1, start=50_000_000),
    )
    result = simulate(Trace(packets), Scheduler(Node(FIFO())), 1e9)
    table = flow_table(result)
    assert table["slowdown"].tolist() == [1.0, 1.0]
    assert table["bytes"].tolist() == [packets["size"][packets["flow"] == f].sum() for f in (0, 1)]


def test_srpt_beats_fifo_for_short_flows_under_load():
    trace = Trace(poisson_flows("websearch", 0.8, 10e9, 400, seed=7))
    summaries = {
        name: summarize(simulate(trace, Scheduler(build(name, 10e9)), 10e9), policy=name)
        for name in ("fifo", "srpt")
    }
    short = {name: s.fct_by_size[0] for name, s in summaries.items()}
    assert short["srpt"]["p99"] < short["fifo"]["p99"] / 10
    assert summaries["srpt"].utilisation == pytest.approx(summaries["fifo"].utilisation)
    # SRPT never lets a flow wait behind a longer one: its short flows barely queue
    assert short["srpt"]["p50"] < 1.5


def test_summary_reports_throughput_and_delay_per_class():
    packets = merge(
        constant_rate(0.4e9, 2_000_000, flow=0, cls=0),
        constant_rate(0.4e9, 2_000_000, flow=1, cls=1, start=1),
    )
    result = simulate(Trace(packets), Scheduler(Node(SRPT())), 1e9)
    summary = summarize(result, bins=10)
    assert [row["cls"] for row in summary.delay_by_class] == [0, 1]
    for series in summary.throughput_by_class.values():
        assert np.mean(series[1:-1]) == pytest.approx(0.4, rel=0.1)  # Gbit/s
    assert "FCT slowdown by flow size" in summary.format()


# -- pcap replay ------------------------------------------------------------------


@pytest.mark.extra("pcap")
def test_a_pcap_replays_as_a_trace(tmp_path, capsys):
    import dpkt

    from eiffel.sim.pcap import read_pcap

    path = tmp_path / "capture.pcap"
    with open(path, "wb") as handle:
        writer = dpkt.pcap.Writer(handle)
        for k, (sport, tos, length) in enumerate([(1000, 0xB8, 200), (2000, 0, 1000), (1000, 0xB8, 300)]):
            tcp = dpkt.tcp.TCP(sport=sport, dport=80, data=b"x" * length)
            ip = dpkt.ip.IP(src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02", p=6, tos=tos, data=tcp)
            ip.len = len(bytes(ip))
            frame = dpkt.ethernet.Ethernet(src=b"\x00" * 6, dst=b"\x11" * 6, data=ip)
            writer.writepkt(bytes(frame), ts=1.0 + k * 0.001)
        writer.writepkt(b"\x00" * 20, ts=1.004)  # not IP: skipped
    packets, skipped = read_pcap(path)
    assert skipped == 1
    assert packets["time"].tolist() == [0, 1_000_000, 2_000_000]
    assert packets["flow"].tolist() == [0, 1, 0]
    assert packets["dscp"].tolist() == [46, 0, 46]  # EF
    assert packets["size"].tolist() == [14 + 20 + 20 + 200, 14 + 20 + 20 + 1000, 14 + 20 + 20 + 300]
    assert cli_main(["simulate", "--pcap", str(path), "--policy", "dscp", "--rate", "1M"]) == 0
    captured = capsys.readouterr()
    assert "3 packets in 2 flows" in captured.out and "skipped 1 non-IP frames" in captured.err


# -- the command ----------------------------------------------------------------------


def test_simulate_command_prints_a_summary(capsys):
    assert cli_main(["simulate", "--policy", "pfabric,fifo", "--flows", "50", "--rate", "1G", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "policy pfabric, queue cffs" in out and "policy fifo, queue cffs" in out
    assert "FCT slowdown by flow size" in out


def test_simulate_command_json_and_approximate_queue(capsys):
    assert cli_main(["simulate", "--policy", "drr", "--flows", "30", "--queue", "approx", "--json"]) == 0
    (summary,) = json.loads(capsys.readouterr().out, parse_constant=pytest.fail)  # strict JSON: no NaN
    assert summary["policy"] == "drr" and summary["queue"] == "approx"
    assert summary["inversions"]["DRR"]["pops"] == summary["packets"]


@pytest.mark.extra("plot")
def test_simulate_command_plots(tmp_path, capsys):
    path = tmp_path / "out.png"
    args = ["simulate", "--policy", "fifo,drr", "--workload", "onoff", "--flows", "4", "--classes", "2",
            "--duration", "5", "--plot", str(path)]  # fmt: skip
    assert cli_main(args) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("option, module, extra", [
    (["--plot", "out.png"], "matplotlib", "plot"),
    (["--pcap", "capture.pcap"], "dpkt", "pcap"),
])  # fmt: skip
def test_a_missing_extra_is_one_line_and_status_2(option, module, extra, monkeypatch, capsys, tmp_path):
    (tmp_path / "capture.pcap").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    assert cli_main(["simulate", "--flows", "5", "--no-progress", *option]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("eiffel simulate: ")
    assert captured.err.endswith(f"needs {module}: pip install 'eiffel[{extra}]'\n")


@pytest.mark.extra("pcap")
def test_an_unreadable_pcap_is_a_failure_not_a_traceback(tmp_path, capsys):
    assert cli_main(["simulate", "--pcap", str(tmp_path / "nosuch.pcap")]) == 1
    assert "No such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--policy", "fastest"], "unknown policy 'fastest'"),
        (["--load", "0"], "load 0 must be in"),
        (["--rate", "fast"], "'fast' is not a rate"),
        (["--queue", "tree"], "invalid choice: 'tree'"),
    ],
)
def test_simulate_command_refuses_bad_options(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["simulate", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_simulate_command_checks_against_the_heap_pifo(capsys):
    args = ["simulate", "--policy", "all", "--flows", "8", "--rate", "1G", "--classes", "2",
            "--deadline", "3", "--check"]  # fmt: skip
    assert cli_main(args) == 0
    verdicts = capsys.readouterr().out.split("Against the exact heap PIFO")[1].strip().splitlines()[1:]
    assert len(verdicts) == 16
    assert all("identical departure order" in line for line in verdicts), verdicts


def test_progress_bar_reports_packets_in():
    import io

    from eiffel.sim.progress import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar("fifo", stream=stream, width=10)
    trace = Trace(poisson_flows("websearch", 0.7, 10e9, 60, seed=4))
    simulate(trace, Scheduler(build("fifo", 10e9)), 10e9, progress=bar)
    bar(len(trace), len(trace))
    bar.close()
    lines = [line for line in stream.getvalue().split("\r") if "[" in line]
    assert lines and lines[-1].startswith("fifo [##########] 100.0%")
    assert f"{len(trace):,}/{len(trace):,} packets in" in lines[-1]
