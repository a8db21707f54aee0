"""The host suite: tests that need an optional extra, and which copy of
eiffel the tests exercise.

A test that needs an extra (pyproject.toml's optional-dependencies) is
marked @pytest.mark.extra("netlink") (or plot, pcap, bench), and is skipped
where the extra is not installed; such a test imports what needs the extra
inside the test (or a fixture), never at the top of its module, so that
the module still collects without it.

`make test` runs the suite against installed wheels, not this checkout: in a
venv without extras, every test not marked (-m "not extra"); then in a venv
with every extra, the marked ones and the smoke tests of the installed
command (-m "extra or smoke").  There EIFFEL_TEST_EXTRAS=1 turns a missing
extra into a failure, so nothing is skipped by accident.
"""

import importlib.metadata
import os
import re

import pytest

from eiffel import dscp

STRICT = os.environ.get("EIFFEL_TEST_EXTRAS") == "1"


def extra_distributions(extra):
    """The distributions eiffel[extra] installs, from the installed metadata."""
    found = []
    for requirement in importlib.metadata.requires("eiffel") or ():
        match = re.match(r"\s*([A-Za-z0-9_.-]+).*;\s*extra\s*==\s*['\"]([^'\"]+)['\"]", requirement)
        if match and match.group(2) == extra:
            found.append(match.group(1))
    if not found:
        raise ValueError(f"eiffel has no extra {extra!r}")
    return found


def missing_distributions(extra):
    missing = []
    for name in extra_distributions(extra):
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "extra(name): needs the optional extra eiffel[name] (skipped without it)"
    )
    config.addinivalue_line(
        "markers", "smoke: checks the installed package itself; runs with and without extras"
    )


def pytest_runtest_setup(item):
    for mark in item.iter_markers("extra"):
        missing = missing_distributions(mark.args[0])
        if missing:
            message = f"needs eiffel[{mark.args[0]}]: {', '.join(missing)} not installed"
            if STRICT:
                pytest.fail(message, pytrace=False)
            pytest.skip(message)


@pytest.fixture
def qdisc_dump():
    """What eiffel.qdisc.netlink.dump() returns for a qdisc with fq's defaults
    on a 1514-byte link, and a 50 Mbit/s root shaper."""
    return {
        "limit": 10000, "flow_limit": 100, "quantum": 3028, "initial_quantum": 15140,
        "pacing": True, "maxrate": None, "buckets": 1024, "refill_delay": 40_000_000,
        "orphan_mask": 1023, "low_rate_threshold": 68750, "ce_threshold": None,
        "timer_slack": 10_000, "horizon": 10_000_000_000, "horizon_drop": True,
        "granularity": 65536, "bands": 4, "dscp_map": dscp.preset_map("diffserv4"),
        "default_band": 2, "weights": [], "rate": 6_250_000, "band_limit": None,
    }  # fmt: skip
