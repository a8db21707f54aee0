"""`eiffel dscp`: list the DSCP codepoints; mark packets with one.

    eiffel dscp list [--json]
    eiffel dscp mark --class EF [--proto tcp] [--sport P] [--dport P]
                     [--src ADDR] [--dst ADDR] [--out | --in]
                     [--backend iptables|nft] [--apply | --delete] [--dry-run]

`mark` prints the commands by default; --apply runs them and --delete runs
the commands that remove exactly what --apply added (--dry-run prints
those instead).  The printed commands are the ones that run.  Every value
is checked before anything runs: a bad one is a usage error (exit status
2); a command that fails is rolled back and reported (exit status 1).
"""

import argparse
import json
import sys

from eiffel import dscp
from eiffel.cli import EXIT_FAILED, EXIT_OK
from eiffel.dscp import rules as dscp_rules
from eiffel.dscp.run import PlanError, run_plan


def add_arguments(parser):
    parser.description = ("DSCP codepoints, the DSCP -> band presets, and iptables/nftables "
                          "rules that set the DSCP of matching packets.")
    actions = parser.add_subparsers(dest="dscp_command", required=True, metavar="ACTION")

    listing = actions.add_parser(
        "list", help="the named codepoints: value, TOS byte, RFC 4594 class, band per preset"
    )
    listing.add_argument("--json", action="store_true", help="print the table as JSON")
    listing.set_defaults(handler=run_list)

    mark = actions.add_parser(
        "mark", help="print (or apply, or delete) rules that set a DSCP",
        description="Generate the rules that set DSCP CLASS on matching packets. "
        "Without --apply or --delete they are only printed.",
        epilog="example: eiffel dscp mark --class EF --proto tcp --dport 5201 --apply",
    )
    mark.add_argument(
        "--class", dest="dscp", required=True, type=_argtype(dscp.parse_dscp), metavar="CLASS",
        help=f"DSCP name (EF, AF41, CS1, LE, VA, DF/BE/CS0; any case) or number 0..{dscp.DSCP_COUNT - 1}",
    )
    mark.add_argument(
        "--proto", dest="protocol", type=_argtype(dscp_rules.parse_protocol), metavar="PROTO",
        help="tcp, udp, sctp or any (default: any)",
    )
    mark.add_argument("--sport", type=_argtype(dscp_rules.parse_port), metavar="PORT",
                      help="source port 1..65535 (needs --proto)")
    mark.add_argument("--dport", type=_argtype(dscp_rules.parse_port), metavar="PORT",
                      help="destination port 1..65535 (needs --proto)")
    mark.add_argument("--src", type=_argtype(dscp_rules.parse_address), metavar="ADDR",
                      help="source address or network (IPv4 or IPv6)")
    mark.add_argument("--dst", type=_argtype(dscp_rules.parse_address), metavar="ADDR",
                      help="destination address or network (IPv4 or IPv6)")
    direction = mark.add_mutually_exclusive_group()
    direction.add_argument("--out", dest="direction", action="store_const", const="out",
                           help="mark packets leaving, after routing (default)")
    direction.add_argument("--in", dest="direction", action="store_const", const="in",
                           help="mark packets arriving, before routing")
    mark.add_argument("--backend", choices=dscp_rules.BACKENDS, default="iptables",
                      help="iptables/ip6tables or nft (default: %(default)s)")
    action = mark.add_mutually_exclusive_group()
    action.add_argument("--apply", action="store_true", help="run the commands (needs root)")
    action.add_argument("--delete", action="store_true",
                        help="run the commands that remove what --apply added")
    mark.add_argument("--dry-run", action="store_true",
                      help="only print the commands, also with --apply or --delete")
    mark.set_defaults(direction="out", handler=lambda args: run_mark(mark, args))


def _argtype(parse):
    """An argparse type from a parser that raises ValueError with a good message."""

    def convert(text):
        try:
            return parse(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    convert.__name__ = parse.__name__
    return convert


def codepoint_rows():
    """One dict per named codepoint, in DSCP order."""
    rows = []
    for name, aliases, service_class in dscp.CODEPOINTS:
        value = dscp.parse_dscp(name)
        rows.append({
            "name": name,
            "aliases": list(aliases),
            "dscp": value,
            "tos": dscp.tos_byte(value),
            "service_class": service_class,
            "bands": {preset: dscp.preset_map(preset)[value] for preset in dscp.PRESETS},
        })  # fmt: skip
    return rows


def format_codepoints(rows):
    presets = list(dscp.PRESETS)
    header = f"{'name':<10} {'dscp':>4} {'hex':>4} {'tos':>4}  {'RFC 4594 service class':<40}"
    lines = [header + "".join(f" {preset:>10}" for preset in presets)]
    for row in rows:
        name = "/".join([row["name"], *row["aliases"]])
        line = (f"{name:<10} {row['dscp']:>4} {row['dscp']:#04x} {row['tos']:#04x}"
                f"  {row['service_class']:<40}")  # fmt: skip
        lines.append(line + "".join(f" {row['bands'][preset]:>10}" for preset in presets))
    lines.append("")
    lines.append("bands (0 is served first; unlisted codepoints go to the best-effort band):")
    for preset in presets:
        names = ", ".join(f"{band} {name}" for band, name in
                          enumerate(dscp.preset_band_names(preset)))  # fmt: skip
        lines.append(f"  {preset:<10} {names}")
    return "\n".join(lines)


def run_list(args):
    rows = codepoint_rows()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(format_codepoints(rows))
    return EXIT_OK


def run_mark(parser, args):
    try:
        marking = dscp_rules.Marking(
            dscp=args.dscp, protocol=args.protocol, sport=args.sport, dport=args.dport,
            src=args.src, dst=args.dst, direction=args.direction,
        )
    except ValueError as err:
        parser.error(str(err))
    plan = dscp_rules.plan(marking, args.backend, delete=args.delete)
    if args.dry_run or not (args.apply or args.delete):
        print(plan.text())
        return EXIT_OK
    try:
        run_plan(plan, echo=print)
    except PlanError as err:
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        for failure in err.rollback_failures:
            print(f"{parser.prog}: rollback failed: {failure}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
