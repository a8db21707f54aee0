"""Fixtures for the kernel tests, which run as root inside a QEMU guest.

`make -C kmod vmtest` builds kmod/ against each test kernel and runs, per
kernel, `kmod/vm/run FLAVOUR -- .venv/bin/python -m pytest tests/kernel`.
The guest sees the host's filesystem at the same paths (writes go to a
throwaway overlay), so these are ordinary pytest files using the project's
venv.  Outside the VM every test in this directory is skipped.

Environment inside the VM (set by kmod/vm/run and kmod/Makefile):
  EIFFEL_IN_VM=1      we are in the test VM
  EIFFEL_KERNEL       kernel flavour under test: "6.1" or "6.12"
  EIFFEL_KVER         its release string (uname -r), e.g. 6.1.0-56-amd64
  EIFFEL_KO           path of sch_eiffel.ko built for this kernel (unset
                      while kmod/Kbuild does not exist)
  EIFFEL_QBENCH_KO    path of eiffel_qbench.ko (benchmarks/kernel/qbench),
                      built for this kernel by kmod/vm/test-kernel
  EIFFEL_MODDIR       lib/modules/KVER tree with the extracted in-tree
                      modules (also mounted at /lib/modules/KVER, so plain
                      `modprobe` and the kernel's autoloading work too)
  EIFFEL_VM_RESULTS   directory shared writable with the host, for results

Fixtures: run, ko, ko_loaded, qbench_ko, modprobe_intree, netns_pair, iperf3, dmesg,
dmesg_clean (autouse).  Markers: netns_pair(mtu=...), dmesg_allow(regex...).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
IN_VM = os.environ.get("EIFFEL_IN_VM") == "1"

# Kernel log lines that fail a test (kmod/vm/run checks the same pattern).
SPLAT = re.compile(r"WARNING:|BUG:|Oops|leak")
# Written to the kernel log after each check: kmod/vm/run then only scans
# what came after the last one (so a test's dmesg_allow is honoured).
CHECKED_MARK = "eiffel-vm: dmesg checked"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "netns_pair(mtu=1500): options for the netns_pair fixture"
    )
    config.addinivalue_line(
        "markers",
        "dmesg_allow(*regexes): kernel log lines matching these do not fail the test",
    )


def pytest_collection_modifyitems(config, items):
    if IN_VM:
        return
    skip = pytest.mark.skip(
        reason="kernel test: runs only inside the test VM "
        "(make -C kmod vmtest, or kmod/vm/run 6.1 -- .venv/bin/python -m pytest tests/kernel)"
    )
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


# --------------------------------------------------------------------------
# Running commands


class CommandError(AssertionError):
    """A command failed; the message carries its output."""


def run(cmd, *, ns=None, check=True, timeout=120, input=None, env=None):
    """Run cmd (a list, or a string split like a shell would) and return the
    CompletedProcess (text).  With ns, run it in that network namespace.
    Raises CommandError with stdout/stderr if it fails and check is true."""
    argv = shlex.split(cmd) if isinstance(cmd, str) else [str(a) for a in cmd]
    if ns is not None:
        argv = ["ip", "netns", "exec", ns, *argv]
    try:
        p = subprocess.run(
            argv,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired as e:
        raise CommandError(
            f"timed out after {timeout}s: {shlex.join(argv)}\n"
            f"stdout:\n{e.stdout or ''}\nstderr:\n{e.stderr or ''}"
        ) from None
    if check and p.returncode != 0:
        raise CommandError(
            f"exit status {p.returncode}: {shlex.join(argv)}\n"
            f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}"
        )
    return p


@pytest.fixture(name="run")
def run_fixture():
    """run(cmd, ns=None, check=True, timeout=120, input=None) -> CompletedProcess."""
    return run


# --------------------------------------------------------------------------
# Modules


def _moddir() -> Path:
    return Path(os.environ.get("EIFFEL_MODDIR") or f"/lib/modules/{os.uname().release}")


def _norm(name: str) -> str:
    return name.replace("-", "_")


def modprobe_intree(name: str) -> None:
    """Load an in-tree module of the kernel under test (veth, sch_fq, ...)
    and its dependencies with insmod, from EIFFEL_MODDIR.  Built-in or
    already loaded modules are fine."""
    moddir = _moddir()
    name = _norm(name)
    builtin = moddir / "modules.builtin"
    if builtin.exists() and any(
        _norm(Path(line.strip()).name).split(".ko")[0] == name
        for line in builtin.read_text().splitlines()
    ):
        return
    deps = {}
    for line in (moddir / "modules.dep").read_text().splitlines():
        path, _, rest = line.partition(":")
        deps[_norm(Path(path).name).split(".ko")[0]] = (path, rest.split())
    if name not in deps:
        raise CommandError(f"no in-tree module {name!r} in {moddir} (see kmod/vm/fetch-kernel WANT)")
    path, needed = deps[name]
    # modules.dep lists the dependencies so that the last one loads first.
    for p in [*reversed(needed), path]:
        mod = _norm(Path(p).name).split(".ko")[0]
        if Path("/sys/module", mod).is_dir():
            continue
        run(["insmod", str(moddir / p)])


@pytest.fixture(name="modprobe_intree")
def modprobe_intree_fixture():
    """modprobe_intree(name): load veth, sch_fq, ... for the kernel under test."""
    return modprobe_intree


def _built_module(var: str, unset_reason: str) -> Path:
    """The .ko whose path kmod/vm/test-kernel exported in var."""
    path = os.environ.get(var)
    if not path:
        pytest.skip(f"{var} is not set: {unset_reason}")
    p = Path(path)
    if not p.is_file():
        pytest.fail(f"{var}={path} does not exist")
    return p


@pytest.fixture(scope="session")
def ko() -> Path:
    """Path of the sch_eiffel.ko built for the kernel under test."""
    return _built_module("EIFFEL_KO", "no qdisc module built (kmod/Kbuild missing?)")


@pytest.fixture(scope="session")
def qbench_ko() -> Path:
    """Path of eiffel_qbench.ko (the synthetic-skb benchmark) for this kernel."""
    return _built_module("EIFFEL_QBENCH_KO", "kmod/vm/test-kernel builds it")


@pytest.fixture(scope="session")
def ko_loaded(ko):
    """Load the module for the session; yields its name.  At the end it must
    unload cleanly (after the tests' network namespaces are gone)."""
    name = ko.name.split(".ko")[0]
    if not Path("/sys/module", name).is_dir():
        run(["insmod", str(ko)])
    yield name
    # Namespaces are torn down asynchronously by the kernel; the qdiscs in
    # them hold module references until then.
    deadline = time.monotonic() + 20
    while True:
        p = run(["rmmod", name], check=False)
        if p.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if p.returncode != 0:
        pytest.fail(f"rmmod {name} failed after the session: {p.stderr.strip()}")


# --------------------------------------------------------------------------
# Network namespaces


@dataclass
class NetnsPair:
    """Two namespaces joined by a veth pair: a (10.99.0.1) <-> b (10.99.0.2)."""

    ns_a: str = "eiffel-a"
    ns_b: str = "eiffel-b"
    dev_a: str = "veth-a"
    dev_b: str = "veth-b"
    ip_a: str = "10.99.0.1"
    ip_b: str = "10.99.0.2"
    prefix: int = 24
    mtu: int = 1500
    queues: int = 1  # TX and RX queues of each veth end (mq tests want several)

    def run_a(self, cmd, **kw):
        return run(cmd, ns=self.ns_a, **kw)

    def run_b(self, cmd, **kw):
        return run(cmd, ns=self.ns_b, **kw)


def _netns_list() -> list[str]:
    out = run(["ip", "netns", "list"]).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _netns_delete(*names: str) -> None:
    present = _netns_list()
    for n in names:
        if n in present:
            run(["ip", "netns", "del", n])


@pytest.fixture
def netns_pair(request, modprobe_intree):
    """Namespaces eiffel-a / eiffel-b with veth-a (10.99.0.1/24) and veth-b
    (10.99.0.2/24).  Options (NetnsPair's fields, e.g. mtu, queues):
    @pytest.mark.netns_pair(mtu=9000), or indirect parametrization with
    {"mtu": 9000}.  Deleted afterwards."""
    opts = {}
    marker = request.node.get_closest_marker("netns_pair")
    if marker:
        opts.update(marker.kwargs)
    opts.update(getattr(request, "param", None) or {})
    pair = NetnsPair(**opts)
    modprobe_intree("veth")
    _netns_delete(pair.ns_a, pair.ns_b)  # leftovers of a crashed test
    try:
        run(["ip", "netns", "add", pair.ns_a])
        run(["ip", "netns", "add", pair.ns_b])
        q = ["numtxqueues", pair.queues, "numrxqueues", pair.queues]
        run(["ip", "link", "add", pair.dev_a, "netns", pair.ns_a, "mtu", pair.mtu, *q,
             "type", "veth", "peer", "name", pair.dev_b, "netns", pair.ns_b, "mtu", pair.mtu, *q])
        for ns, dev, ip in ((pair.ns_a, pair.dev_a, pair.ip_a), (pair.ns_b, pair.dev_b, pair.ip_b)):
            run(["ip", "-n", ns, "addr", "add", f"{ip}/{pair.prefix}", "dev", dev])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
            run(["ip", "-n", ns, "link", "set", dev, "up"])
        yield pair
    finally:
        _netns_delete(pair.ns_a, pair.ns_b)


def ping(ns: str, ip: str, count: int = 3) -> None:
    """Ping ip from namespace ns (busybox's ping: Debian has no iputils by default)."""
    run(["busybox", "ping", "-c", str(count), "-W", "5", ip], ns=ns, timeout=30)


@pytest.fixture(name="ping")
def ping_fixture():
    """ping(ns, ip, count=3): raises CommandError if no reply."""
    return ping


# --------------------------------------------------------------------------
# iperf3


def _ns_with_address(ip: str) -> str:
    for ns in _netns_list():
        if re.search(rf"\binet6? {re.escape(ip)}/", run(["ip", "-n", ns, "-o", "addr"]).stdout):
            return ns
    raise CommandError(f"no network namespace has address {ip}")


def _listening(ns: str, port: int) -> bool:
    out = run(["ss", "-Hlnt", f"sport = :{port}"], ns=ns, check=False).stdout
    return bool(out.strip())


def iperf3(client_ns, server_ip, seconds=3, extra_args=(), *, server_ns=None, port=5201):
    """Run an iperf3 server in server_ns (default: the namespace that owns
    server_ip) and a client in client_ns for `seconds`; return the client's
    JSON report (iperf3 -J) as a dict.  extra_args go to the client, e.g.
    ["-u", "-b", "50M"], ["-P", "4"], ["-R"], ["-C", "bbr"].
    Throughput: result["end"]["sum_sent"]["bits_per_second"] (TCP),
    result["end"]["sum"]["bits_per_second"] (UDP)."""
    server_ns = server_ns or _ns_with_address(server_ip)
    server = subprocess.Popen(
        ["ip", "netns", "exec", server_ns, "iperf3", "-s", "-1", "-p", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not _listening(server_ns, port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise CommandError(f"iperf3 server did not start:\n{server.communicate()[0]}")
            time.sleep(0.1)
        p = run(
            ["iperf3", "-c", server_ip, "-p", port, "-t", seconds, "-J", *extra_args],
            ns=client_ns,
            check=False,
            timeout=seconds + 60,
        )
        try:
            result = json.loads(p.stdout)
        except ValueError:
            raise CommandError(f"iperf3 client: no JSON (status {p.returncode}):\n{p.stdout}\n{p.stderr}") from None
        if p.returncode != 0 or "error" in result:
            raise CommandError(f"iperf3 client failed: {result.get('error')}\n{p.stderr}")
        return result
    finally:
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(name="iperf3")
def iperf3_fixture():
    """iperf3(client_ns, server_ip, seconds=3, extra_args=(), server_ns=None, port=5201) -> dict."""
    return iperf3


# --------------------------------------------------------------------------
# Kernel log


class KernelLog:
    """Reads /dev/kmsg records, each once."""

    def __init__(self):
        self._fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)

    def read(self) -> list[str]:
        """Messages logged since the previous read (or since opening, which
        starts at the oldest record still in the buffer)."""
        lines = []
        while True:
            try:
                rec = os.read(self._fd, 8192)
            except BlockingIOError:
                break
            except OSError as e:
                if e.errno == errno.EPIPE:  # overwritten records: go on
                    continue
                raise
            if not rec:
                break
            head, _, msg = rec.decode(errors="replace").partition(";")
            # Continuation lines (" KEY=value") are metadata, not text.
            lines.append(msg.split("\n", 1)[0])
        return lines

    def skip_to_end(self) -> None:
        os.lseek(self._fd, 0, os.SEEK_END)

    def close(self):
        os.close(self._fd)


def _mark_checked() -> None:
    with open("/dev/kmsg", "w") as f:
        f.write(CHECKED_MARK + "\n")


@pytest.fixture(scope="session")
def _kmsg():
    if not IN_VM:
        yield None
        return
    log = KernelLog()
    log.skip_to_end()  # boot noise is not the tests' business
    yield log
    log.close()


@pytest.fixture
def dmesg(_kmsg):
    """dmesg() -> kernel log lines logged since the previous call (the first
    call: since this test started)."""
    if _kmsg is None:
        pytest.skip("no kernel log outside the VM")
    log = KernelLog()
    log.skip_to_end()
    yield log.read
    log.close()


@pytest.fixture(autouse=True)
def dmesg_clean(request, _kmsg):
    """Fail the test if the kernel logged WARNING/BUG/Oops/leak while it ran
    (including its fixtures' setup and teardown).  Allow expected lines with
    @pytest.mark.dmesg_allow(r"regex", ...)."""
    yield
    if _kmsg is None:
        return
    allowed = [
        re.compile(rx)
        for m in request.node.iter_markers("dmesg_allow")
        for rx in m.args
    ]
    lines = [line for line in _kmsg.read() if line != CHECKED_MARK]
    _mark_checked()
    bad = [
        line
        for line in lines
        if SPLAT.search(line) and not any(rx.search(line) for rx in allowed)
    ]
    if bad:
        context = "\n".join(lines[-60:])
        pytest.fail(
            "kernel logged problems during the test:\n  "
            + "\n  ".join(bad)
            + f"\n--- kernel log during the test (last 60 lines) ---\n{context}",
            pytrace=False,
        )
