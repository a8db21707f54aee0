"""The kernel's built-in DSCP map (the uapi header's diffserv4 table) is eiffel.dscp's diffserv4."""

import re
from pathlib import Path

from eiffel import dscp

UAPI = Path(__file__).resolve().parents[1] / "csrc" / "uapi" / "pkt_sched_eiffel.h"


def _uapi_text():
    return UAPI.read_text()


def _kernel_default_map():
    body = re.search(r"#define TC_EIFFEL_DSCP_MAP_DIFFSERV4 \{(.*?)\}", _uapi_text(), re.S)
    return [int(v) for v in re.findall(r"\b\d+\b", body.group(1))]


def _uapi_define(name):
    return int(re.search(rf"#define {name}\s+(\d+)", _uapi_text()).group(1))


def test_kernel_default_map_is_diffserv4():
    assert _kernel_default_map() == dscp.preset_map("diffserv4")


def test_kernel_default_bands_and_default_band_are_diffserv4s():
    assert _uapi_define("TC_EIFFEL_DEF_BANDS") == dscp.preset_bands("diffserv4")
    # Non-IP packets go where DSCP 0 (best effort) goes.
    assert _uapi_define("TC_EIFFEL_DEF_DEFAULT_BAND") == dscp.preset_map("diffserv4")[0]
