"""DSCP -> band presets, and DSCP maps written as text.

The presets are sch_cake's diffserv3/4/8 and besteffort tin tables
(net/sched/sch_cake.c, after the RFC 8622 LE change), renumbered so that
band 0 is served first (cake numbers its tins differently per mode).

diffserv4 is the qdisc's built-in map, so its table is the uapi header's
TC_EIFFEL_DSCP_MAP_DIFFSERV4 (read through eiffel.qdisc.uapi, written
nowhere else); the header's comment lists its bands:

    0 voice        CS4, CS5, VA, EF, CS6, CS7
    1 video        DSCP 4, CS2, AF2x, CS3, AF3x, AF4x
    2 best effort  CS0, AF1x, DSCP 2, and every unlisted codepoint
    3 bulk         LE, CS1

The other presets are built here from RFC 4594's classes as cake groups them.
In every preset, codepoints not listed go where CS0 (best effort) goes.
"""

from typing import NamedTuple

from eiffel.dscp.codepoints import DSCP, DSCP_COUNT, dscp_name, parse_dscp
from eiffel.qdisc import uapi

__all__ = [
    "DEFAULT_PRESET", "DEFAULT_PRIORITY", "PRESETS", "PRIORITY_NAMES", "Preset",
    "default_priority_map", "format_dscp_map", "parse_dscp_map", "preset_band_names",
    "preset_bands", "preset_map", "preset_of",
]  # fmt: skip

# The old RFC 1349 TOS bits read as DSCPs; cake sorts them like AF codepoints.
_TOS_MAX_THROUGHPUT = 2
_TOS_LOW_DELAY = 4


class Preset(NamedTuple):
    band_names: tuple  # band 0 (served first) first
    bands: tuple  # one band per DSCP, indexed by DSCP


def _afx(x):
    return (f"af{x}1", f"af{x}2", f"af{x}3")


def _grouped(band_names, groups, default_band):
    """A Preset from the codepoints of every band but the default one."""
    bands = [default_band] * DSCP_COUNT
    for band, members in groups.items():
        for member in members:
            bands[member if isinstance(member, int) else DSCP[member]] = band
    return Preset(band_names, tuple(bands))


PRESETS = {
    "diffserv3": _grouped(
        ("voice", "best effort", "bulk"),
        {
            0: (_TOS_LOW_DELAY, "va", "ef", "cs6", "cs7"),
            2: ("le", "cs1"),
        },
        1,
    ),
    "diffserv4": Preset(
        ("voice", "video", "best effort", "bulk"), uapi.TC_EIFFEL_DSCP_MAP_DIFFSERV4
    ),
    "diffserv8": _grouped(
        (
            "network control", "minimum latency", "interactive shell",
            "low-latency transactions", "video streaming", "best effort",
            "high throughput", "background",
        ),
        {
            0: ("cs6", "cs7"),
            1: ("ef", "va", "cs5", "cs4"),
            2: ("cs2",),
            3: (*_afx(2), _TOS_LOW_DELAY),
            4: (*_afx(4), *_afx(3), "cs3"),
            6: (*_afx(1), _TOS_MAX_THROUGHPUT, "cs1"),
            7: ("le",),
        },
        5,
    ),
    "besteffort": _grouped(("best effort",), {}, 0),
}  # fmt: skip
DEFAULT_PRESET = "diffserv4"


def _preset(name):
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(
            f"unknown DSCP preset {name!r}: use one of {', '.join(PRESETS)}"
        ) from None


def preset_map(name=DEFAULT_PRESET):
    """A list of 64 bands (0 = served first), indexed by DSCP, for a preset."""
    return list(_preset(name).bands)


def preset_bands(name):
    """How many bands a preset uses (diffserv3 -> 3, besteffort -> 1)."""
    return len(_preset(name).band_names)


def preset_band_names(name):
    """The bands' names, band 0 first: ('voice', 'best effort', 'bulk')."""
    return _preset(name).band_names


def preset_of(band_map):
    """The name of the preset whose map equals band_map, or None."""
    band_map = tuple(band_map)
    return next((name for name, preset in PRESETS.items() if preset.bands == band_map), None)


def parse_dscp_map(text, bands):
    """Parse 'EF=0,AF41=1,default=2' into 64 bands indexed by DSCP.

    Keys are DSCP names or numbers as parse_dscp() takes them, plus
    `default` for every codepoint not listed; without it those go to the
    last band (bands - 1), the lowest priority.  bands=None means the band
    count is not known: a band may then be any the qdisc can have, and the
    map must give `default`.  A codepoint listed twice, also under two
    names (CS0 and DF), is an error, as is a band outside 0..bands-1.
    Raises ValueError naming the bad item.
    """
    if bands is not None and (isinstance(bands, bool) or not isinstance(bands, int) or bands < 1):
        raise ValueError(f"the band count must be a positive integer, not {bands!r}")
    limit = uapi.TC_EIFFEL_BANDS_MAX if bands is None else bands
    assigned = {}  # dscp -> (item text, band)
    default_band = None
    for item in text.split(","):
        key, sep, band_text = item.partition("=")
        key, band_text = key.strip(), band_text.strip()
        if not sep or not key or not band_text:
            raise ValueError(f"bad DSCP map item {item.strip()!r}: write NAME=BAND, e.g. EF=0")
        band = _parse_band(band_text, limit, item.strip())
        if key.lower() == "default":
            if default_band is not None:
                raise ValueError("the DSCP map gives 'default' twice")
            default_band = band
            continue
        try:
            dscp = parse_dscp(key)
        except ValueError as err:
            raise ValueError(f"bad DSCP map item {item.strip()!r}: {err}") from None
        if dscp in assigned:
            raise ValueError(
                f"DSCP {dscp} is mapped twice in the DSCP map "
                f"({assigned[dscp][0]!r} and {item.strip()!r})"
            )
        assigned[dscp] = (item.strip(), band)
    if default_band is None:
        if bands is None:
            raise ValueError(
                "the band count is not known here: the DSCP map must say where the "
                "codepoints it does not list go (default=BAND)"
            )
        default_band = bands - 1
    result = [default_band] * DSCP_COUNT
    for dscp, (_, band) in assigned.items():
        result[dscp] = band
    return result


def _parse_band(text, bands, item):
    try:
        band = int(text, 10)
    except ValueError:
        band = None
    if band is None or not 0 <= band < bands:
        raise ValueError(
            f"bad DSCP map item {item!r}: band {text!r} is outside the valid range 0..{bands - 1}"
        )
    return band


def format_dscp_map(band_map):
    """A compact "NAME=BAND,...,default=B" text that parse_dscp_map reads back.

    The default band is the most common one (the lowest-numbered on ties);
    names are used where a codepoint has one, numbers otherwise.
    """
    band_map = list(band_map)
    if len(band_map) != DSCP_COUNT:
        raise ValueError(f"a DSCP map has {DSCP_COUNT} entries, not {len(band_map)}")
    default_band = max(sorted(set(band_map)), key=band_map.count)
    items = [
        f"{dscp_name(dscp) or dscp}={band}"
        for dscp, band in enumerate(band_map)
        if band != default_band
    ]
    return ",".join(items + [f"default={default_band}"])


# What the simulator (eiffel.policies.priority) was written against.
PRIORITY_NAMES = preset_band_names("diffserv4")
DEFAULT_PRIORITY = PRESETS["diffserv4"].bands[DSCP["cs0"]]  # where unlisted codepoints go


def default_priority_map():
    """A list of 64 priorities (0 = served first), indexed by DSCP: diffserv4."""
    return preset_map("diffserv4")
