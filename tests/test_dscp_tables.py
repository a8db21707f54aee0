"""eiffel.dscp against values typed in from the RFCs and from sch_cake.c."""

import pytest

from eiffel import dscp

# RFC 2474 (CS), 2597 (AF), 3246 (EF), 5865 (VOICE-ADMIT), 8622 (LE).
RFC_DSCP = {
    "CS0": 0, "CS1": 8, "CS2": 16, "CS3": 24, "CS4": 32, "CS5": 40, "CS6": 48, "CS7": 56,
    "AF11": 10, "AF12": 12, "AF13": 14, "AF21": 18, "AF22": 20, "AF23": 22,
    "AF31": 26, "AF32": 28, "AF33": 30, "AF41": 34, "AF42": 36, "AF43": 38,
    "EF": 46, "VA": 44, "LE": 1,
}  # fmt: skip

# TOS bytes as iproute2's rt_dsfield and most vendor tables print them.
RFC_TOS = {"CS1": 0x20, "AF11": 0x28, "AF41": 0x88, "CS5": 0xA0, "EF": 0xB8, "CS6": 0xC0, "LE": 0x04}

# RFC 4594 figure 3 (service class per DSCP), with RFC 5865 and RFC 8622.
RFC_4594 = {
    "CS6": "Network Control", "EF": "Telephony", "CS5": "Signaling",
    "AF41": "Multimedia Conferencing", "AF42": "Multimedia Conferencing",
    "AF43": "Multimedia Conferencing", "CS4": "Real-Time Interactive",
    "AF31": "Multimedia Streaming", "AF32": "Multimedia Streaming",
    "AF33": "Multimedia Streaming", "CS3": "Broadcast Video",
    "AF21": "Low-Latency Data", "AF22": "Low-Latency Data", "AF23": "Low-Latency Data",
    "CS2": "OAM", "AF11": "High-Throughput Data", "AF12": "High-Throughput Data",
    "AF13": "High-Throughput Data", "CS0": "Standard",
}  # fmt: skip

# net/sched/sch_cake.c (Linux 6.18), DSCP -> cake tin.
CAKE = {
    "diffserv8": [
        2, 0, 1, 2, 4, 2, 2, 2,
        1, 2, 1, 2, 1, 2, 1, 2,
        5, 2, 4, 2, 4, 2, 4, 2,
        3, 2, 3, 2, 3, 2, 3, 2,
        6, 2, 3, 2, 3, 2, 3, 2,
        6, 2, 2, 2, 6, 2, 6, 2,
        7, 2, 2, 2, 2, 2, 2, 2,
        7, 2, 2, 2, 2, 2, 2, 2,
    ],
    "diffserv4": [
        0, 1, 0, 0, 2, 0, 0, 0,
        1, 0, 0, 0, 0, 0, 0, 0,
        2, 0, 2, 0, 2, 0, 2, 0,
        2, 0, 2, 0, 2, 0, 2, 0,
        3, 0, 2, 0, 2, 0, 2, 0,
        3, 0, 0, 0, 3, 0, 3, 0,
        3, 0, 0, 0, 0, 0, 0, 0,
        3, 0, 0, 0, 0, 0, 0, 0,
    ],
    "diffserv3": [
        0, 1, 0, 0, 2, 0, 0, 0,
        1, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 2, 0, 2, 0,
        2, 0, 0, 0, 0, 0, 0, 0,
        2, 0, 0, 0, 0, 0, 0, 0,
    ],
    "besteffort": [0] * 64,
}  # fmt: skip
# Cake tin -> eiffel band (band 0 served first).  Cake serves the higher tin
# first in diffserv8; diffserv3/4 put bulk in tin 1 below best effort in tin 0.
TIN_TO_BAND = {
    "diffserv8": {tin: 7 - tin for tin in range(8)},
    "diffserv4": {3: 0, 2: 1, 0: 2, 1: 3},
    "diffserv3": {2: 0, 0: 1, 1: 2},
    "besteffort": {0: 0},
}


@pytest.mark.parametrize("name, value", RFC_DSCP.items())
def test_names_parse_to_the_rfc_values_in_any_case(name, value):
    assert dscp.parse_dscp(name) == value
    assert dscp.parse_dscp(name.lower()) == value
    assert dscp.parse_dscp(name.capitalize()) == value
    assert dscp.parse_dscp(f"  {name} ") == value


def test_aliases_of_the_default_codepoint_and_of_le_and_va():
    assert dscp.parse_dscp("DF") == dscp.parse_dscp("be") == dscp.parse_dscp("Cs0") == 0
    assert dscp.parse_dscp("lephb") == 1  # nftables' name for LE
    assert dscp.parse_dscp("VOICE-ADMIT") == 44


@pytest.mark.parametrize("text, value", [("0", 0), ("63", 63), ("46", 46), ("0x2e", 46), ("0X3F", 63), (7, 7)])
def test_numbers_parse_as_dscp_values(text, value):
    assert dscp.parse_dscp(text) == value


@pytest.mark.parametrize("text, needle", [
    ("64", "outside the valid range 0..63"),
    ("-1", "outside the valid range 0..63"),
    ("0xb8", "its DSCP is 46"),  # EF's TOS byte, not its DSCP
    ("184", "its DSCP is 46"),
    ("AF44", "unknown DSCP 'AF44'"),
    ("", "unknown DSCP"),
    ("4.5", "unknown DSCP"),
    ("EF1", "unknown DSCP"),
])  # fmt: skip
def test_bad_values_are_rejected_with_the_valid_range(text, needle):
    with pytest.raises(ValueError, match=needle):
        dscp.parse_dscp(text)


def test_the_unknown_name_message_lists_the_names():
    with pytest.raises(ValueError) as err:
        dscp.parse_dscp("voice")
    for name in ("EF", "AF41", "LE", "VA", "CS7", "DF"):
        assert name in str(err.value)


@pytest.mark.parametrize("name, value", RFC_DSCP.items())
def test_canonical_names_and_tos_bytes(name, value):
    assert dscp.dscp_name(value) == name
    assert dscp.tos_byte(value) == value * 4


@pytest.mark.parametrize("name, tos", RFC_TOS.items())
def test_tos_bytes_match_the_published_tables(name, tos):
    assert dscp.tos_byte(RFC_DSCP[name]) == tos


def test_tos_byte_rejects_values_that_are_not_dscps():
    with pytest.raises(ValueError, match="0..63"):
        dscp.tos_byte(0xB8)


def test_unnamed_codepoints_have_no_name_or_class():
    named = set(RFC_DSCP.values())
    for value in set(range(64)) - named:
        assert dscp.dscp_name(value) is None and dscp.service_class(value) is None


@pytest.mark.parametrize("name, service_class", RFC_4594.items())
def test_rfc_4594_service_classes(name, service_class):
    assert dscp.service_class(RFC_DSCP[name]) == service_class


def test_codepoint_table_holds_exactly_the_rfc_codepoints_in_dscp_order():
    names = [row[0] for row in dscp.CODEPOINTS]
    assert sorted(names) == sorted(RFC_DSCP)
    values = [RFC_DSCP[name] for name in names]
    assert values == sorted(values)
    assert "Low-Priority Data" in dscp.service_class(1)
    assert "Telephony" in dscp.service_class(44)


@pytest.mark.parametrize("preset", CAKE)
def test_presets_are_cakes_tables_with_band_zero_served_first(preset):
    expected = [TIN_TO_BAND[preset][tin] for tin in CAKE[preset]]
    assert dscp.preset_map(preset) == expected
    assert dscp.preset_bands(preset) == len(TIN_TO_BAND[preset])
    assert len(dscp.preset_band_names(preset)) == dscp.preset_bands(preset)
    assert set(dscp.preset_map(preset)) == set(range(dscp.preset_bands(preset)))
    assert dscp.preset_of(expected) == preset


def test_band_zero_holds_the_most_urgent_traffic_in_every_preset():
    for preset in ("diffserv3", "diffserv4", "diffserv8"):
        bands = dscp.preset_map(preset)
        last = dscp.preset_bands(preset) - 1
        assert bands[RFC_DSCP["CS6"]] == 0 and bands[RFC_DSCP["CS7"]] == 0
        assert bands[RFC_DSCP["LE"]] == last
        assert bands[RFC_DSCP["EF"]] < bands[RFC_DSCP["CS0"]] < bands[RFC_DSCP["LE"]]


def test_preset_names_and_unknown_presets():
    assert set(dscp.PRESETS) == {"diffserv3", "diffserv4", "diffserv8", "besteffort"}
    assert dscp.preset_map() == dscp.preset_map("diffserv4")
    for call in (dscp.preset_map, dscp.preset_bands, dscp.preset_band_names):
        with pytest.raises(ValueError, match="unknown DSCP preset 'diffserv5'.*diffserv3"):
            call("diffserv5")
    assert dscp.preset_of([0] * 63 + [1]) is None


def test_the_simulators_names_keep_their_values():
    # What eiffel.dscp exported before the presets existed (eiffel.policies uses it).
    assert dscp.PRIORITY_NAMES == ("voice", "video", "best effort", "bulk")
    assert dscp.DEFAULT_PRIORITY == 2
    assert dscp.default_priority_map() == [TIN_TO_BAND["diffserv4"][t] for t in CAKE["diffserv4"]]
    assert {name: value for name, value in dscp.DSCP.items()} == {
        **{name.lower(): value for name, value in RFC_DSCP.items()}, "df": 0, "be": 0,
    }


def test_a_user_map_with_names_numbers_and_default():
    bands = dscp.parse_dscp_map("EF=0, af41=1,cs1=3 ,7=2,0x2c=0,default=2", 4)
    expected = [2] * 64
    expected[46] = expected[44] = 0
    expected[34] = 1
    expected[8] = 3
    assert bands == expected


def test_unlisted_codepoints_go_to_the_last_band_without_default():
    bands = dscp.parse_dscp_map("EF=0,AF41=1", 3)
    assert bands[46] == 0 and bands[34] == 1
    assert [band for value, band in enumerate(bands) if value not in (46, 34)] == [2] * 62


@pytest.mark.parametrize("text, bands, needle", [
    ("EF=3", 3, r"band '3' is outside the valid range 0..2"),
    ("EF=-1", 3, r"band '-1' is outside the valid range 0..2"),
    ("EF=x", 3, r"band 'x' is outside"),
    ("EF=0,default=9", 4, r"band '9' is outside the valid range 0..3"),
    ("XX=0", 3, r"'XX=0'.*unknown DSCP 'XX'"),
    ("64=0", 3, r"'64=0'.*DSCP 64 is outside the valid range 0..63"),
    ("EF", 3, r"bad DSCP map item 'EF': write NAME=BAND"),
    ("EF=0,,AF41=1", 3, r"bad DSCP map item ''"),
    ("=1", 3, r"write NAME=BAND"),
    ("CS0=0,DF=1", 3, r"DSCP 0 is mapped twice.*'CS0=0' and 'DF=1'"),
    ("EF=0,46=0", 3, r"DSCP 46 is mapped twice"),
    ("default=0,default=1", 3, r"'default' twice"),
])  # fmt: skip
def test_bad_user_maps_name_the_bad_item(text, bands, needle):
    with pytest.raises(ValueError, match=needle):
        dscp.parse_dscp_map(text, bands)


@pytest.mark.parametrize("bands", [0, -1, True, "3"])
def test_the_band_count_must_be_a_positive_integer(bands):
    with pytest.raises(ValueError, match="positive integer"):
        dscp.parse_dscp_map("EF=0", bands)


@pytest.mark.parametrize("preset", CAKE)
def test_every_preset_formats_to_a_map_that_parses_back(preset):
    text = dscp.format_dscp_map(dscp.preset_map(preset))
    assert dscp.parse_dscp_map(text, dscp.preset_bands(preset)) == dscp.preset_map(preset)


def test_format_writes_names_where_they_exist():
    bands = [1] * 64
    bands[46], bands[5] = 0, 2
    assert dscp.format_dscp_map(bands) == "5=2,EF=0,default=1"
    with pytest.raises(ValueError, match="64 entries"):
        dscp.format_dscp_map([0] * 8)
