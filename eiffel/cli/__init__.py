"""The `eiffel` command: one subcommand per job (argparse)."""

import argparse
import sys

from eiffel.bench import quick as bench
from eiffel.cli import dscp as dscp_cli
from eiffel.cli import qdisc as qdisc_cli
from eiffel.cli import simulate as simulate_cli


def build_parser():
    parser = argparse.ArgumentParser(
        prog="eiffel", description="Eiffel's bucketed priority queues and the sch_eiffel qdisc"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bench.add_parser(subparsers)
    dscp_cli.add_parser(subparsers)
    qdisc_cli.add_parser(subparsers)
    simulate_cli.add_parser(subparsers)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
