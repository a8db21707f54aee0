"""Every subcommand of the installed `eiffel` command, run as a user runs it:
the console script next to this interpreter (and python -m eiffel), in a
subprocess, outside the source tree.  With or without the optional extras:
where an extra is missing, the command that needs it must say so in one
line and exit with status 2; these tests also take an extra away (an
import blocker) to check that where it is installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import eiffel

BIN = Path(sys.executable).parent
EIFFEL = BIN / "eiffel"
CHECKOUT = Path(__file__).resolve().parents[1]
INSTALLED = Path(eiffel.__file__).resolve().parent != CHECKOUT / "eiffel"
SUBCOMMANDS = ("bench", "dscp", "qdisc", "simulate")

pytestmark = pytest.mark.smoke


def eiffel_run(*args, blocked=(), timeout=300, stdout=subprocess.PIPE):
    """Run `eiffel ARGS` as a user would; blocked: modules made unimportable
    first (as if their extra were not installed)."""
    if blocked:
        block = "".join(f"sys.modules[{name!r}] = None; " for name in blocked)
        code = f"import sys; {block}from eiffel.cli import main; sys.exit(main(sys.argv[1:]))"
        argv = [sys.executable, "-c", code, *args]
    else:
        argv = [str(EIFFEL), *args]
    return subprocess.run(argv, stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, cwd=os.environ.get("TMPDIR", "/tmp"))


def installed(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def test_the_console_script_and_python_m_print_the_same_help():
    script = eiffel_run("--help")
    assert script.returncode == 0, script.stderr
    for name in SUBCOMMANDS:
        assert f"    {name} " in script.stdout
    assert "exit status:" in script.stdout and "141" in script.stdout
    module = subprocess.run([sys.executable, "-m", "eiffel", "--help"], capture_output=True,
                            text=True, check=True)
    assert module.stdout == script.stdout


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help(name):
    result = eiffel_run(name, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: eiffel {name}")


def test_usage_errors_are_status_2_on_stderr():
    for args in (["nosuch"], ["bench", "--sizes", "0"], ["dscp", "mark", "--class", "XX"],
                 ["simulate", "--policy", "fastest"], []):
        result = eiffel_run(*args)
        assert result.returncode == 2, args
        assert result.stdout == "" and "error:" in result.stderr, args


def test_bench():
    result = eiffel_run("bench", "--sizes", "1000", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    assert "CFFSQueue" in result.stdout and "heapq (rank, seq, item)" in result.stdout


def test_bench_full_needs_a_checkout():
    if not INSTALLED:
        pytest.skip("eiffel is imported from the checkout here: --full would run the whole suite")
    result = eiffel_run("bench", "--full")
    assert result.returncode == 2
    assert "needs a source checkout" in result.stderr


def test_dscp_list_and_mark():
    listing = eiffel_run("dscp", "list")
    assert listing.returncode == 0 and listing.stdout.startswith("name ")
    assert "EF" in listing.stdout and listing.stderr == ""
    mark = eiffel_run("dscp", "mark", "--class", "EF", "--proto", "tcp", "--dport", "5201")
    assert mark.returncode == 0, mark.stderr
    assert mark.stdout.startswith("iptables -w 10 -t mangle -A POSTROUTING -p tcp")


def test_a_closed_pipe_ends_the_command_quietly():
    # The reading end is closed before the command starts, so every write
    # fails (EPIPE), whatever the timing: what `eiffel dscp list | head` risks.
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "w") as closed:
        result = eiffel_run("dscp", "list", stdout=closed)
    assert result.stderr == ""
    assert result.returncode == 141  # 128 + SIGPIPE, as for a tool killed by it


def test_simulate():
    result = eiffel_run("simulate", "--policy", "fifo", "--workload", "websearch",
                        "--flows", "200", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "policy fifo, queue cffs" in result.stdout


@pytest.mark.parametrize("args, module, extra", [
    (["qdisc", "show", "lo"], "pyroute2", "netlink"),
    (["simulate", "--flows", "5", "--plot", "out.png"], "matplotlib", "plot"),
    (["simulate", "--pcap", "/dev/null"], "dpkt", "pcap"),
])  # fmt: skip
def test_a_missing_extra_is_one_line_naming_it(args, module, extra):
    hint = f"needs {module}: pip install 'eiffel[{extra}]'"
    runs = [eiffel_run(*args, blocked=[module])]
    if not installed(module):
        runs.append(eiffel_run(*args))  # really not installed: the console script itself
    for result in runs:
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and result.stderr.rstrip().endswith(hint)
        assert result.stderr.startswith(f"eiffel {args[0]}: ")


def test_qdisc_with_pyroute2_reports_what_the_kernel_says():
    if not installed("pyroute2"):
        pytest.skip("pyroute2 (eiffel[netlink]) is not installed here")
    result = eiffel_run("qdisc", "show", "lo")
    assert result.returncode == 1
    assert result.stderr == "eiffel qdisc show: no eiffel qdisc on lo at root\n"


def test_import_eiffel_imports_nothing_optional():
    code = ("import sys, eiffel; q = eiffel.CFFSQueue(4); q.push(1); "
            "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "eiffel" in loaded and "numpy" in loaded
    assert not loaded & {"pyroute2", "matplotlib", "dpkt", "sortedcontainers", "pqdict", "heapx"}
