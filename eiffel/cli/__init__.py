"""The `eiffel` command: one subcommand per job (argparse).

Each subcommand lives in its own module here, imported only when that
subcommand runs (or shows its --help): a subcommand whose optional extra is
missing never breaks another, and `eiffel --help` imports none of them.
A subcommand's module has add_arguments(parser), which fills its parser and
sets the handler: handler(args) -> exit status.
"""

import argparse
import importlib
import os
import sys

from eiffel._extras import MissingExtra

# name -> (module, one-line help)
COMMANDS = {
    "bench": ("eiffel.cli.bench", "compare the queues with heapq, per item and in batches"),
    "dscp": ("eiffel.cli.dscp", "list DSCP codepoints and their bands; generate marking rules"),
    "qdisc": ("eiffel.cli.qdisc", "add, change, replace, delete or show a sch_eiffel qdisc"),
    "simulate": ("eiffel.cli.simulate", "run a scheduling policy over a packet trace on one link"),
}

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and failed: the kernel refused, a rule did not apply, ...
EXIT_USAGE = 2  # bad arguments, or an optional extra is not installed; nothing was done
EXIT_BROKEN_PIPE = 128 + 13  # whoever read the output stopped (SIGPIPE), as for any tool
EXIT_INTERRUPTED = 128 + 2  # Ctrl-C (SIGINT)

EXIT_STATUS_HELP = """\
exit status:
  0    success
  1    the command failed (the kernel refused a change, a firewall command
       failed, ...); the message says why, on stderr
  2    usage error: a bad argument or value, or an optional extra that the
       command needs is not installed (the message names it); nothing was done
  130  interrupted (Ctrl-C)
  141  the output pipe was closed early (as `eiffel dscp list | head` does)
"""


def _command_in(argv):
    """The subcommand argv names: its first word that is not an option."""
    return next((word for word in argv if not word.startswith("-")), None)


def build_parser(argv=()):
    """The parser, with the arguments of the subcommand argv names (only)."""
    parser = argparse.ArgumentParser(
        prog="eiffel",
        description="Eiffel's bucketed priority queues, the sch_eiffel qdisc and a simulator.",
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = _command_in(argv)
    for name, (module, text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=text, description=text)
        if name == chosen:
            importlib.import_module(module).add_arguments(sub)
    return parser


def _output_closed():
    # Python's advice (signal module docs, "Note on SIGPIPE"): point stdout
    # at devnull, so that the flush at exit does not fail a second time.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


def main(argv=None):
    """Run the `eiffel` command; return its exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command_in(argv)
    try:
        args = build_parser(argv).parse_args(argv)
        status = args.handler(args)
        sys.stdout.flush()
        return status
    except MissingExtra as err:
        print(f"eiffel {command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return _output_closed()
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
