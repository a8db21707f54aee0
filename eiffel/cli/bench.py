"""`eiffel bench`: the queues side by side with heapq (eiffel.bench.quick),
or with --full the benchmark suite of a source checkout (eiffel.bench.full)."""

import argparse
import json

from eiffel.bench import full, quick

MAX_SIZE = 10**8


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if not 1 <= value <= MAX_SIZE:
        raise argparse.ArgumentTypeError(f"{value} is outside the valid range [1, {MAX_SIZE}]")
    return value


def add_arguments(parser):
    parser.description = quick.__doc__.split("\n\n")[0]
    parser.add_argument(
        "--sizes", type=_positive_int, nargs="+", default=list(quick.DEFAULT_SIZES),
        metavar="N", help="queue sizes (default: %(default)s)",
    )
    parser.add_argument("--repeats", type=_positive_int, default=3, help="best of this many runs")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument(
        "--full", nargs="*", metavar="LEVEL", choices=full.LEVELS,
        help=f"run the full benchmark suite instead (levels: {' '.join(full.LEVELS)}; none:"
        " benchmarks/Makefile's `all`); needs a source checkout, see benchmarks/README.md",
    )
    parser.set_defaults(handler=run)


def run(args):
    if args.full is not None:
        return full.run_full(args.full)
    rows = quick.measure(args.sizes, args.repeats)
    if args.json:
        print(json.dumps({"machine": quick.describe_machine(), "rows": rows}, indent=2))
    else:
        print("push n ranks uniform in [0, n), then pop them all; ns per element (push + pop)")
        print(quick.format_table(rows))
        print(f"({quick.describe_machine()}; best of {args.repeats}; ratios measured side by side)")
    return 0
