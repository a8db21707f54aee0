"""The kernel's built-in DSCP map (kmod/eiffel_nl.c) is eiffel.dscp's diffserv4."""

import re
from pathlib import Path

from eiffel import dscp

NL = Path(__file__).resolve().parents[1] / "kmod" / "eiffel_nl.c"


def _kernel_default_map():
    text = NL.read_text()
    body = re.search(r"eiffel_default_dscp_map\[TC_EIFFEL_DSCP_COUNT\] = \{(.*?)\};", text, re.S)
    return [int(v) for v in re.findall(r"\d+", body.group(1))]


def _kernel_define(name):
    text = (NL.parent / "eiffel_sched.h").read_text()
    return int(re.search(rf"#define {name}\s+(\d+)", text).group(1))


def test_kernel_default_map_is_diffserv4():
    assert _kernel_default_map() == dscp.preset_map("diffserv4")


def test_kernel_default_bands_and_default_band_are_diffserv4s():
    assert _kernel_define("EIFFEL_DEF_BANDS") == dscp.preset_bands("diffserv4")
    # Non-IP packets go where DSCP 0 (best effort) goes.
    assert _kernel_define("EIFFEL_DEF_DEFAULT_BAND") == dscp.preset_map("diffserv4")[0]
