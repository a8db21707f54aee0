"""The qdisc's options without a kernel and without pyroute2: the uapi
numbers as Python sees them, the option table, Options (units, checks,
encoding), and the tc-style words of `eiffel qdisc`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eiffel import dscp
from eiffel.qdisc import options, uapi, words
from eiffel.qdisc.options import OPTIONS, Options

UAPI = Path(__file__).resolve().parents[1] / "csrc" / "uapi" / "pkt_sched_eiffel.h"


def _header():
    return UAPI.read_text()


def _header_enum():
    body = re.search(r"enum \{(.*?)\};", _header(), re.S).group(1)
    return re.findall(r"^\s*(TCA_EIFFEL_\w+),", body, re.M)


def _header_xstats():
    """(name, bytes) of each field, read from the header's text."""
    body = re.search(r"struct tc_eiffel_xstats \{(.*?)\};", _header(), re.S).group(1)
    fields = []
    for _, bits, name, count in re.findall(r"__([us])(\d+)\s+(\w+)(?:\[(\w+)\])?;", body):
        n = getattr(uapi, count) if count else 1
        fields.append((name, int(bits) // 8 * n))
    return fields


# -- the uapi header, through cffi -------------------------------------------


def test_every_attribute_has_the_headers_number():
    names = _header_enum()
    assert names[0] == "TCA_EIFFEL_UNSPEC" and len(names) > 10
    assert uapi.ATTRIBUTES == {name: number for number, name in enumerate(names)}
    assert uapi.TCA_EIFFEL_MAX == len(names) - 1


def test_plain_number_defines_have_the_headers_values():
    defines = re.findall(r"^#define\s+(TC_EIFFEL_\w+)\s+([0-9]+)\b", _header(), re.M)
    assert len(defines) > 20
    for name, value in defines:
        assert getattr(uapi, name) == int(value), name
    assert uapi.TC_EIFFEL_UNLIMITED == 2**64 - 1 and uapi.TC_EIFFEL_CE_THRESHOLD_OFF == 2**32 - 1
    with pytest.raises(AttributeError, match="not a name of the uapi header"):
        uapi.TC_EIFFEL_NO_SUCH_THING


def test_the_default_dscp_map_is_the_headers_table():
    body = re.search(r"#define TC_EIFFEL_DSCP_MAP_DIFFSERV4 \{(.*?)\}", _header(), re.S).group(1)
    table = tuple(int(v) for v in re.findall(r"\b\d+\b", body))
    assert uapi.TC_EIFFEL_DSCP_MAP_DIFFSERV4 == table
    assert len(table) == uapi.TC_EIFFEL_DSCP_COUNT
    assert dscp.preset_map("diffserv4") == list(table)


def test_xstats_layout_is_the_headers():
    fields = _header_xstats()
    assert [f.name for f in uapi.XSTATS] == [name for name, _ in fields]
    assert uapi.XSTATS_SIZE == sum(size for _, size in fields)
    for field, (name, size) in zip(uapi.XSTATS, fields):
        assert field.size * (field.length or 1) == size, name
    assert {f.name for f in uapi.XSTATS if f.signed} == {"time_next_delayed_flow"}


# -- the option table and Options ---------------------------------------------


def test_every_attribute_has_an_option():
    attrs = set(_header_enum()) - {"TCA_EIFFEL_UNSPEC", "TCA_EIFFEL_PAD"}
    assert {opt.attr for opt in OPTIONS.values()} == attrs
    assert all(opt.number == uapi.ATTRIBUTES[opt.attr] for opt in OPTIONS.values())


@pytest.mark.parametrize(
    "given,attrs",
    [
        ({"limit": 5}, [["TCA_EIFFEL_LIMIT", 5]]),
        ({"maxrate": "100mbit"}, [["TCA_EIFFEL_MAXRATE", 12_500_000]]),
        ({"maxrate": "2MBps"}, [["TCA_EIFFEL_MAXRATE", 2_000_000]]),
        ({"maxrate": "1Gbit"}, [["TCA_EIFFEL_MAXRATE", 125_000_000]]),  # tc's case-blind units
        ({"maxrate": 1234}, [["TCA_EIFFEL_MAXRATE", 1234]]),
        ({"maxrate": None}, [["TCA_EIFFEL_MAXRATE", 2**64 - 1]]),
        ({"low_rate_threshold": "550kbit"}, [["TCA_EIFFEL_LOW_RATE_THRESHOLD", 68750]]),
        ({"granularity": "64us"}, [["TCA_EIFFEL_GRANULARITY", 64_000]]),
        ({"granularity": 65536}, [["TCA_EIFFEL_GRANULARITY", 65536]]),
        ({"horizon": "10s"}, [["TCA_EIFFEL_HORIZON", 10_000_000]]),  # microseconds
        ({"refill_delay": "40ms"}, [["TCA_EIFFEL_REFILL_DELAY", 40_000]]),
        ({"ce_threshold": None}, [["TCA_EIFFEL_CE_THRESHOLD", 2**32 - 1]]),
        ({"ce_threshold": "2.5ms"}, [["TCA_EIFFEL_CE_THRESHOLD", 2500]]),
        ({"timer_slack": "10us"}, [["TCA_EIFFEL_TIMER_SLACK", 10_000]]),
        ({"buckets": 4096}, [["TCA_EIFFEL_BUCKETS_LOG", 12]]),
        ({"pacing": False}, [["TCA_EIFFEL_RATE_ENABLE", 0]]),
        ({"nopacing": True}, [["TCA_EIFFEL_RATE_ENABLE", 0]]),
        ({"horizon_cap": True}, [["TCA_EIFFEL_HORIZON_DROP", 0]]),
        ({"horizon_drop": True}, [["TCA_EIFFEL_HORIZON_DROP", 1]]),
        ({"weights": [3, 1]}, [["TCA_EIFFEL_WEIGHTS", (3).to_bytes(4, "little") + (1).to_bytes(4, "little")]]),
        ({"band_limit": None}, [["TCA_EIFFEL_BAND_LIMIT", 2**32 - 1]]),
    ],
)
def test_units(given, attrs):
    assert Options(given).attrs == attrs


@pytest.mark.parametrize(
    "given,error,message",
    [
        ({"limit": 0}, ValueError, "limit must be 1 to 4294967295, not 0"),
        ({"limit": 2**32}, ValueError, "not 4294967296"),
        ({"limit": "5"}, TypeError, "limit must be an int, not str"),
        ({"limit": True}, TypeError, "not bool"),
        ({"flow_limit": 0}, ValueError, "flow_limit must be 1 to"),
        ({"quantum": 255}, ValueError, "quantum must be 256 to 1048576, not 255"),
        ({"quantum": (1 << 20) + 1}, ValueError, "quantum must be 256 to 1048576"),
        ({"initial_quantum": (1 << 20) + 1}, ValueError, "initial_quantum must be 0 to 1048576"),
        ({"buckets": 1000}, ValueError, "buckets must be a power of two, not 1000"),
        ({"buckets": 1 << 19}, ValueError, "buckets must be 2 to 262144, not 524288"),
        ({"buckets": 1}, ValueError, "buckets must be 2 to 262144, not 1"),
        ({"pacing": 2}, ValueError, "pacing must be 0 to 1, not 2"),
        ({"maxrate": "fast"}, ValueError, "maxrate: cannot parse 'fast'"),
        ({"maxrate": "100furlongs"}, ValueError, "maxrate: unknown unit 'furlongs'"),
        ({"maxrate": "1bit"}, ValueError, "not a whole number of bytes per second"),
        ({"maxrate": -1}, ValueError, "maxrate must be 0 to"),
        ({"horizon": "1500ns"}, ValueError, "horizon must be a multiple of 1000 ns, not 1500"),
        ({"horizon": "1fortnight"}, ValueError, "unknown unit 'fortnight'"),
        ({"horizon": "10"}, ValueError, "unknown unit ''"),  # a time needs its unit
        ({"granularity": 0}, ValueError, "granularity must be 1 to 1000000000, not 0"),
        ({"granularity": "2s"}, ValueError, "granularity must be 1 to 1000000000"),
        ({"timer_slack": "2s"}, ValueError, "timer_slack must be 0 to 1000000000"),
        ({"ce_threshold": 1.5}, TypeError, "ce_threshold must be an int, not float"),
        ({"horizon_drop": True, "horizon_cap": True}, ValueError, "contradict each other"),
        ({"bands": 0}, ValueError, "bands must be 1 to 8, not 0"),
        ({"bands": 9}, ValueError, "bands must be 1 to 8, not 9"),
        ({"dscp_map": [0] * 63}, ValueError, "dscp_map must have 64 entries, not 63"),
        ({"dscp_map": [8] * 64}, ValueError, "dscp_map[0] (band of DSCP 0) must be 0 to 7"),
        ({"weights": [3, 0]}, ValueError, "weights[1] (bytes per round of band 1) must be 1 to 16777216"),
        ({"weights": [1] * 9}, ValueError, "weights must have at most 8 entries"),
        ({"default_band": 8}, ValueError, "default_band must be 0 to 7, not 8"),
        ({"band_limit": 0}, ValueError, "band_limit must be 1 to"),
        ({"rate": "fast"}, ValueError, "rate: cannot parse"),
        ({"nonsense": 3}, TypeError, "unknown eiffel option 'nonsense' (known: limit"),
    ],
)
def test_invalid_values_refused_before_the_kernel(given, error, message):
    with pytest.raises(error) as exc:
        Options(given)
    assert message in str(exc.value)


def test_validate_false_leaves_range_checks_to_the_kernel():
    assert Options({"limit": 0, "buckets": 1 << 19}, validate=False).attrs == [
        ["TCA_EIFFEL_LIMIT", 0],
        ["TCA_EIFFEL_BUCKETS_LOG", 19],
    ]
    with pytest.raises(TypeError):  # types are still checked
        Options({"limit": "0"}, validate=False)
    with pytest.raises(ValueError):  # and what the attribute can hold
        Options({"limit": 2**32}, validate=False)


EVERY_OPTION = {
    "limit": 777, "flow_limit": 55, "quantum": 4000, "initial_quantum": 20000,
    "pacing": False, "maxrate": 12_500_000, "buckets": 4096, "refill_delay": 20_000_000,
    "orphan_mask": 255, "low_rate_threshold": 100_000, "ce_threshold": None,
    "timer_slack": 20_000, "horizon": 2_000_000_000, "horizon_drop": False,
    "granularity": 32768, "bands": 3, "dscp_map": [i % 3 for i in range(64)],
    "default_band": 1, "weights": [3000, 2000, 1000], "rate": 6_250_000,
    "band_limit": 500,
}  # fmt: skip


def test_decode_is_the_inverse_of_encode():
    assert set(EVERY_OPTION) == set(OPTIONS)
    assert options.decode(Options(EVERY_OPTION).attrs) == EVERY_OPTION
    assert options.decode(Options(maxrate=None).attrs) == {"maxrate": None}
    none = {"rate": None, "band_limit": None, "weights": []}
    assert options.decode(Options(none).attrs) == none


def test_options_read_as_python_values():
    opts = Options(maxrate="100mbit", horizon="4s", horizon_cap=True)
    assert dict(opts) == {"maxrate": 12_500_000, "horizon": 4_000_000_000, "horizon_drop": False}
    assert opts["maxrate"] == 12_500_000 and len(opts) == 3
    assert Options(**opts).attrs == opts.attrs
    assert "maxrate=12500000" in repr(opts)


# -- words ----------------------------------------------------------------------


def test_fq_style_words_to_options():
    opts = words.parse_words(
        "limit 10000 flow_limit 100 quantum 3028 maxrate 1gbit rate 100mbit horizon 10s "
        "horizon_cap granularity 100us buckets 1024 weights 3000,1000,1000,1000".split())
    assert isinstance(opts, Options)
    assert dict(opts) == {
        "limit": 10000, "flow_limit": 100, "quantum": 3028, "maxrate": 125_000_000,
        "rate": 12_500_000, "horizon": 10_000_000_000, "horizon_drop": False,
        "granularity": 100_000, "buckets": 1024, "weights": [3000, 1000, 1000, 1000],
    }


def test_every_option_is_a_word():
    for name, opt in OPTIONS.items():
        kind = opt.kind
        if isinstance(kind, options.Flag):
            assert {kind.true_word, kind.false_word} <= set(words.WORDS)
        else:
            assert name in words.WORDS


@pytest.mark.parametrize("preset", sorted(dscp.PRESETS))
def test_preset_sets_map_bands_and_default_band(preset):
    opts = words.parse_words(["dscp_map", preset])
    assert opts["dscp_map"] == dscp.preset_map(preset)
    assert opts["bands"] == dscp.preset_bands(preset)
    assert opts["default_band"] == dscp.preset_map(preset)[0]


def test_map_list_uses_given_or_default_bands():
    opts = words.parse_words(["bands", "2", "dscp_map", "EF=0,default=1"])
    assert opts["dscp_map"][46] == 0 and opts["dscp_map"].count(1) == 63
    # add and replace start from the kernel's defaults: 4 bands, unlisted -> band 3.
    for action in ("add", "replace"):
        assert words.parse_words(["dscp_map", "EF=0"], action)["dscp_map"][0] == 3
    # change does not ask the kernel: it needs default= (or bands).
    assert words.parse_words(["dscp_map", "EF=0,default=5"], "change")["dscp_map"][0] == 5
    assert words.parse_words(["bands", "3", "dscp_map", "EF=0"], "change")["dscp_map"][0] == 2
    with pytest.raises(ValueError, match=r"default=BAND\); or give bands N"):
        words.parse_words(["dscp_map", "EF=0"], "change")


@pytest.mark.parametrize("words_, message", [
    (["bands", "9"], "bands must be 1 to 8, not 9"),
    (["bands", "0"], "bands must be 1 to 8, not 0"),
    (["weights", "3,0"], "weights[1] (bytes per round of band 1) must be 1 to 16777216, not 0"),
    (["weights", "3,x"], "weights: 'x' is not a whole number"),
    (["dscp_map", "EF=4"], "band '4' is outside the valid range 0..3"),
    (["dscp_map", "64=0"], "64"),
    (["dscp_map", "diffserv3", "bands", "4"], "dscp_map diffserv3 has 3 bands, but bands is 4"),
    (["limit", "0"], "limit must be 1 to 4294967295, not 0"),
    (["limit"], "limit needs a value"),
    (["limit", "5", "limit", "6"], "limit is given twice"),
    (["horizon_cap", "horizon_drop"], "horizon_drop contradicts an earlier option"),
    (["rate", "10furlong"], "unknown unit 'furlong'"),
    (["granularity", "2s"], "granularity must be 1 to 1000000000, not 2000000000"),
    (["bogus", "1"], "unknown option 'bogus' (valid: band_limit, bands"),
])  # fmt: skip
def test_bad_words_name_the_value_and_range(words_, message):
    with pytest.raises(ValueError) as exc:
        words.parse_words(words_)
    assert message in str(exc.value)


def test_none_words():
    opts = words.parse_words(
        "rate unlimited maxrate unlimited ce_threshold off band_limit none weights strict".split())
    assert dict(opts) == {"rate": None, "maxrate": None, "ce_threshold": None,
                          "band_limit": None, "weights": []}


def test_format_options_reads_like_tc(qdisc_dump):
    line = words.format_options(qdisc_dump)
    assert line == (
        "limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 3028b "
        "initial_quantum 15140b low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us "
        "horizon 10s horizon_drop granularity 65536ns rate 50Mbit bands 4 dscp_map diffserv4 "
        "default_band 2 weights strict"
    )
    custom = dict(qdisc_dump, dscp_map=[1] * 46 + [0] + [1] * 17, bands=2, weights=[3, 1],
                  pacing=False, maxrate=1_234_567, ce_threshold=2_500_000, band_limit=9)
    line = words.format_options(custom)
    assert "dscp_map EF=0,default=1" in line and "weights 3,1" in line and " nopacing " in line
    assert "maxrate 9.876536Mbit" in line and "ce_threshold 2500us" in line
    assert line.endswith("band_limit 9p")


def test_printed_options_parse_back_to_the_same_options(qdisc_dump):
    shown = dict(qdisc_dump, maxrate=1_234_567, pacing=False, ce_threshold=2_500_000, weights=[3, 1, 1, 1],
                 band_limit=77, dscp_map=[i % 4 for i in range(64)])
    assert dict(words.parse_words(words.format_options(shown).split())) == shown


def _stats():
    st = {f.name: i for i, f in enumerate(uapi.XSTATS)}
    for f in uapi.XSTATS:
        if f.length:
            st[f.name] = [10 * b + 1 for b in range(f.length)]
    st.update(bytes=1000, packets=10, drops=1, overlimits=0, requeues=0, qlen=2, backlog=3000)
    return st


def test_format_stats_prints_every_counter_per_band_last():
    text = words.format_stats(_stats(), 3)
    assert text.splitlines()[0] == " Sent 1000 bytes 10 pkt (dropped 1, overlimits 0 requeues 0)"
    assert text.splitlines()[-1] == "  band 2: packets 21 bytes 21 drops 21 qlen 21"
    assert "band 3:" not in text
    printed = set(re.findall(r"([a-z_]+) \d+", text))
    for field in uapi.XSTATS:
        name = field.name.removeprefix("band_") if field.length else field.name
        assert name in printed, field.name
