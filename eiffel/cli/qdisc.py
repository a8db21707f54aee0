"""`eiffel qdisc add|change|replace|del|show DEV [options]`: sch_eiffel over netlink.

Options are tc-style words (see eiffel.qdisc.words and docs/qdisc.md), e.g.

    eiffel qdisc replace eth0 rate 50mbit dscp_map diffserv4 weights 3000,1000,1000,1000
    eiffel qdisc show eth0 -s
    eiffel qdisc show eth0 -n ns1 --json

Values are checked before anything is sent (a bad one: usage error, exit
status 2); the kernel's refusals are printed with its extack message, exit
status 1.  Either way nothing changed.  Needs pyroute2 (pip install
'eiffel[netlink]'); without it every action exits with status 2 and says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eiffel.cli import EXIT_FAILED, EXIT_OK
from eiffel.qdisc import KIND, words

ACTIONS = ("add", "change", "replace", "del", "show")
NETNS_DIR = Path("/run/netns")


def add_arguments(p):
    p.description = __doc__
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("action", choices=ACTIONS, help="what to do")
    p.add_argument("dev", help="network device")
    p.add_argument("-n", "--netns", metavar="NS", help="act inside network namespace NS")
    p.add_argument("--parent", metavar="MAJ:MIN", help="parent class (default: root)")
    p.add_argument("--handle", metavar="MAJ:", help="qdisc handle")
    p.add_argument("--json", action="store_true", help="show: options and stats as JSON")
    p.add_argument("-s", "--stats", action="store_true", help="show: the counters too")
    p.add_argument("options", nargs=argparse.REMAINDER, metavar="OPTION VALUE ...",
                   help="tc-style options: " + ", ".join(words.WORDS))
    p.set_defaults(handler=lambda args: run(p, args))


def _where(args):
    return {"netns": args.netns, "parent": args.parent, "handle": args.handle}


def show(netlink, args, out):
    opts = netlink.dump(args.dev, **_where(args))
    st = netlink.stats(args.dev, **_where(args)) if (args.stats or args.json) else None
    if args.json:
        json.dump({"dev": args.dev, "kind": KIND, "options": opts, "stats": st},
                  out, indent=2, sort_keys=True)
        out.write("\n")
        return
    out.write(f"qdisc {KIND} dev {args.dev} {words.format_options(opts)}\n")
    if st is not None:
        out.write(words.format_stats(st, opts["bands"]) + "\n")


_LATE_FLAGS = {"-n": "netns", "--netns": "netns", "--parent": "parent", "--handle": "handle"}
_LATE_SWITCHES = {"--json": "json", "-s": "stats", "--stats": "stats"}


def _late_flags(parser, args):
    """Flags written after DEV (tc's habit) land in the REMAINDER: take them out."""
    rest, remaining = [], list(args.options)
    while remaining:
        word = remaining.pop(0)
        if word in _LATE_SWITCHES:
            setattr(args, _LATE_SWITCHES[word], True)
        elif word in _LATE_FLAGS:
            if not remaining:
                parser.error(f"{word} needs a value")
            setattr(args, _LATE_FLAGS[word], remaining.pop(0))
        else:
            rest.append(word)
    args.options = rest


def run(parser, args, out=None):
    # Imported here: it needs pyroute2, an optional extra (eiffel.cli.main
    # turns its absence into one line and exit status 2).
    from eiffel.qdisc import netlink

    out = sys.stdout if out is None else out
    _late_flags(parser, args)
    # pyroute2 would create a namespace that does not exist: refuse instead.
    if args.netns and not (NETNS_DIR / args.netns).exists():
        parser.error(f"no network namespace {args.netns!r} (ip netns list)")
    if args.action in ("show", "del") and args.options:
        parser.error(f"{args.action} takes no options, not {' '.join(args.options)!r}")
    try:
        if args.action == "show":
            show(netlink, args, out)
        elif args.action == "del":
            netlink.delete(args.dev, **_where(args))
        else:
            options = words.parse_words(args.options, args.action)
            getattr(netlink, args.action)(args.dev, options, **_where(args))
    except (ValueError, TypeError) as err:
        parser.error(str(err))
    except OSError as err:
        print(f"eiffel qdisc {args.action}: {err.strerror or err}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
