"""Which copy of eiffel the suite tests, and with which extras.

`make test` sets EIFFEL_TEST_VENV to "plain" (the wheel installed with no
extras) or "extras" (the wheel with every extra) for its two runs; outside
them (`make check`, the editable venv) there is nothing to assert here.
"""

import importlib.util
import os
import sys
import sysconfig
from pathlib import Path

import pytest

import eiffel

VENV = os.environ.get("EIFFEL_TEST_VENV")
CHECKOUT = Path(__file__).resolve().parents[1]
OPTIONAL = {"netlink": "pyroute2", "plot": "matplotlib", "pcap": "dpkt"}

pytestmark = [
    pytest.mark.smoke,
    pytest.mark.skipif(VENV is None, reason="only in make test's installed-wheel venvs"),
]


def test_eiffel_comes_from_the_venv_not_the_checkout():
    package = Path(eiffel.__file__).resolve().parent
    site = Path(sysconfig.get_paths()["platlib"]).resolve()
    assert package == site / "eiffel"
    assert package != CHECKOUT / "eiffel"
    assert Path(sys.prefix).resolve() in package.parents
    # The extensions too, all built for the limited API, and no build inputs came along.
    extensions = {p.relative_to(package).as_posix() for p in package.rglob("*.so")}
    assert {"queues/_core.abi3.so", "qdisc/_uapi.abi3.so"} <= extensions
    assert all(name.endswith(".abi3.so") for name in extensions), extensions
    assert not (package / "_native").exists()


def test_the_extras_are_what_this_venv_promises():
    present = {extra for extra, module in OPTIONAL.items() if importlib.util.find_spec(module)}
    assert present == (set() if VENV == "plain" else set(OPTIONAL))
