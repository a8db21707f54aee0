"""The kernel's built-in DSCP map (the uapi header's TC_EIFFEL_DSCP_MAP_DIFFSERV4,
which eiffel.dscp's diffserv4 preset reads) against RFC 4594's service classes,
and the header's default band settings against that map.

tests/test_dscp_tables.py also checks the table against sch_cake's diffserv4."""

from eiffel import dscp
from eiffel.qdisc import uapi

# RFC 4594 service class (as eiffel.dscp names it) -> diffserv4 band name,
# as cake's diffserv4 groups them.
BAND_OF_CLASS = {
    "Network Control": "voice",
    "Telephony": "voice",
    "Telephony, capacity-admitted (RFC 5865)": "voice",
    "Signaling": "voice",
    "Real-Time Interactive": "voice",
    "reserved for future use": "voice",  # CS7
    "Multimedia Conferencing": "video",
    "Multimedia Streaming": "video",
    "Broadcast Video": "video",
    "Low-Latency Data": "video",
    "OAM": "video",
    "High-Throughput Data": "best effort",
    "Standard": "best effort",
    "Low-Priority Data (RFC 8622)": "bulk",
    "Low-Priority Data (before RFC 8622)": "bulk",
}


def test_each_named_codepoint_lands_in_the_band_its_class_says():
    names = dscp.preset_band_names("diffserv4")
    table = uapi.TC_EIFFEL_DSCP_MAP_DIFFSERV4
    assert {cls for _, _, cls in dscp.CODEPOINTS} == set(BAND_OF_CLASS)
    for name, _, cls in dscp.CODEPOINTS:
        assert names[table[dscp.parse_dscp(name)]] == BAND_OF_CLASS[cls], name


def test_kernel_default_bands_and_default_band_are_diffserv4s():
    assert uapi.TC_EIFFEL_DEF_BANDS == dscp.preset_bands("diffserv4")
    # Non-IP packets go where DSCP 0 (best effort) goes.
    assert uapi.TC_EIFFEL_DEF_DEFAULT_BAND == dscp.preset_map("diffserv4")[0]
