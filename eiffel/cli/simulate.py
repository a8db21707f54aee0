"""The ``eiffel simulate`` subcommand.

    eiffel simulate --policy pfabric,fifo,drr --workload websearch --load 0.7 \\
        --flows 10000 --plot study.png

--plot needs matplotlib (eiffel[plot]) and --pcap dpkt (eiffel[pcap]);
without them only those options fail (exit status 2, naming the extra).
"""

import argparse
import json
import sys

from eiffel import units
from eiffel.cli import EXIT_FAILED, EXIT_OK
from eiffel.pifo.queue_kinds import QUEUE_KINDS
from eiffel.pifo.scheduler import Scheduler
from eiffel.policies import POLICIES, build
from eiffel.sim import workloads
from eiffel.sim.plot import plot_extra
from eiffel.sim.progress import ProgressBar
from eiffel.sim.simulator import simulate
from eiffel.sim.summary import summarize
from eiffel.sim.trace import Trace

__all__ = ["add_arguments", "run"]

WORKLOADS = ("websearch", "datamining", "constant", "onoff")


def _rate(text):
    """A rate in tc's units (eiffel.units: '10gbit', '10G', '1e9') -> bits per second."""
    try:
        rate = units.parse_rate(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate (e.g. 10G, 100mbit, 1e9): {err}") from None
    if rate <= 0:
        raise argparse.ArgumentTypeError(f"rate {text!r} must be positive")
    return rate


BURST = "none"  # --sender-rate none: each flow arrives at once


def _sender_rate(text):
    return BURST if text.lower() in ("none", "inf", "burst") else _rate(text)


def _load(text):
    value = float(text)
    if not 0 < value <= 10:
        raise argparse.ArgumentTypeError(f"load {text} must be in (0, 10] (1 = the link rate)")
    return value


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be a positive integer")
    return value


def _policies(text):
    if text == "all":
        return list(POLICIES)
    names = [name.strip() for name in text.split(",") if name.strip()]
    bad = [name for name in names if name not in POLICIES]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown policy {', '.join(bad) or text!r}; choose from {', '.join(POLICIES)}"
        )
    return names


def add_arguments(parser):
    """Fill the ``simulate`` subcommand's parser."""
    policies = "\n".join(f"  {name:<8} {description}" for name, (description, _) in POLICIES.items())
    parser.description = ("Simulate one link draining an Eiffel scheduler and print FCT slowdown, "
                          "queueing delay, drops and rank inversions.")
    parser.epilog = f"policies:\n{policies}"
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--policy", type=_policies, default=["fifo"],
                        help="a policy, several separated by commas to compare them on one trace, or all")
    parser.add_argument("--workload", choices=WORKLOADS, default="websearch",
                        help="generated traffic (default websearch); ignored with --pcap")
    parser.add_argument("--pcap", metavar="FILE", help="replay a capture instead (needs eiffel[pcap])")
    parser.add_argument("--load", type=_load, default=0.7, help="offered load, fraction of the link (default 0.7)")
    parser.add_argument("--flows", type=_positive_int, default=1000, help="flows (or sources) to generate")
    parser.add_argument("--rate", type=_rate, default=10**10,
                        help="link rate in tc's units: 10gbit or 10G, 100mbit, 1e9 (default 10G)")
    parser.add_argument("--sender-rate", type=_sender_rate, default=None, metavar="RATE|none",
                        help="each flow's sending rate (default: the link rate; none: whole flow at once)")
    parser.add_argument("--duration", type=float, default=100.0, metavar="MS",
                        help="length of constant and on-off workloads in ms (default 100)")
    parser.add_argument("--classes", type=_positive_int, default=1,
                        help="traffic classes to spread flows over (the cls column; default 1)")
    parser.add_argument("--deadline", type=float, default=None, metavar="FACTOR",
                        help="give each flow the deadline start + FACTOR x its bytes at the link rate")
    parser.add_argument("--mtu", type=_positive_int, default=1500, help="packet size in bytes (default 1500)")
    parser.add_argument("--buffer", type=_positive_int, default=None, metavar="PACKETS",
                        help="scheduler capacity, tail drop beyond (default unlimited)")
    parser.add_argument("--queue", choices=QUEUE_KINDS, default="cffs",
                        help="queue for every node (default cffs; exact = FFS or cFFS by policy; heap = reference)")
    parser.add_argument("--count-inversions", action="store_true",
                        help="count rank inversions against an exact shadow (default with --queue approx)")
    parser.add_argument("--check", action="store_true",
                        help="also run the exact heap PIFO and compare departure orders")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--plot", metavar="PNG", help="save FCT slowdown and throughput plots (needs eiffel[plot])")
    parser.add_argument("--json", action="store_true", help="print the summaries as JSON")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.set_defaults(handler=run)


def _trace(args):
    if args.pcap:
        from eiffel.sim.pcap import read_pcap

        packets, skipped = read_pcap(args.pcap)
        if skipped:
            print(f"{args.pcap}: skipped {skipped} non-IP frames", file=sys.stderr)
        return Trace(packets)
    sender = {None: args.rate, BURST: None}.get(args.sender_rate, args.sender_rate)
    share = args.load * args.rate / args.flows  # bits/s per source
    if args.workload in workloads.CDFS:
        packets = workloads.poisson_flows(
            args.workload, args.load, args.rate, args.flows, mtu=args.mtu,
            sender_rate=sender, classes=args.classes, deadline_factor=args.deadline, seed=args.seed,
        )  # fmt: skip
    else:
        duration = int(args.duration * 1e6)
        sources = []
        for flow in range(args.flows):
            cls = flow % args.classes
            if args.workload == "constant":
                sources.append(workloads.constant_rate(share, duration, size=args.mtu, flow=flow,
                                                       start=flow * 1000, cls=cls))
            else:
                sources.append(workloads.on_off(2 * share, 1e6, 1e6, duration, size=args.mtu, flow=flow,
                                                cls=cls, seed=args.seed + flow))
        packets = workloads.merge(*sources)
    return Trace(packets)


def _compare_with_reference(trace, name, args, result):
    """Run the policy on the heap PIFO and compare the departure orders."""
    reference = simulate(trace, Scheduler(build(name, args.rate), queue="heap"), args.rate, buffer=args.buffer)
    same = len(reference.order) == len(result.order)
    differ = (reference.order != result.order).nonzero()[0] if same else [0]
    if same and len(differ) == 0:
        verdict = f"identical departure order ({len(result.order):,} packets)"
    else:
        verdict = f"orders differ from departure {int(differ[0]):,} on"
    inversions = sum(row["inversions"] for row in summarize(result).inversions.values())
    if inversions:
        verdict += f"; {inversions:,} rank inversions"
    return {"identical": bool(same and len(differ) == 0),
            "first_difference": None if same and len(differ) == 0 else int(differ[0]),
            "verdict": verdict}


def run(args):
    """Handler of ``eiffel simulate``: returns the exit status."""
    if args.plot:
        plot_extra()  # a missing extra fails before the run, not after it
    try:
        trace = _trace(args)
    except OSError as err:
        print(f"eiffel simulate: {err}", file=sys.stderr)
        return EXIT_FAILED
    if len(trace) == 0:
        print("eiffel simulate: the workload has no packets", file=sys.stderr)
        return EXIT_FAILED
    count = args.count_inversions or args.queue == "approx"
    show_progress = not args.no_progress and sys.stderr.isatty()
    summaries = []
    for name in args.policy:
        bar = ProgressBar(f"{name:>8}") if show_progress else None
        scheduler = Scheduler(build(name, args.rate), queue=args.queue, count_inversions=count)
        result = simulate(trace, scheduler, args.rate, buffer=args.buffer, progress=bar)
        if bar is not None:
            bar.close()
        summary = summarize(result, policy=name, queue=args.queue)
        if args.check:
            summary.reference = _compare_with_reference(trace, name, args, result)
        summaries.append(summary)
    if args.json:
        json.dump([summary.to_dict() for summary in summaries], sys.stdout, indent=1)
        print()
    else:
        print("\n\n".join(summary.format() for summary in summaries))
        if args.check:
            print("\nAgainst the exact heap PIFO (same policy, same trace)")
            for summary in summaries:
                print(f"  {summary.policy:<8} {summary.reference['verdict']}")
    if args.plot:
        from eiffel.sim.plot import plot_summaries

        workload = args.pcap or f"{args.workload}, load {args.load:g}, {args.flows} flows"
        try:
            plot_summaries(summaries, args.plot, title=f"{workload}, {args.rate / 1e9:g} Gbit/s link")
        except OSError as err:
            print(f"eiffel simulate: {err}", file=sys.stderr)
            return EXIT_FAILED
        print(f"plot saved to {args.plot}", file=sys.stderr)
    return EXIT_OK
