"""DSCP codepoints, their RFC 4594 service classes, and DSCP -> band presets.

Values from RFC 2474 (CS), 2597 (AF), 3246 (EF), 5865 (VOICE-ADMIT) and
8622 (LE): CSx = 8x, AFxy = 8x + 2y.  Names follow nftables (lower case);
parse_dscp() also takes them in any case, as iptables spells them.

A DSCP is the top six bits of the IPv4 TOS byte / IPv6 traffic class, so
TOS byte = DSCP << 2.  The two are easy to confuse (EF is DSCP 46 = 0x2e
but TOS 0xb8), which is why they are never mixed here: every value called
`dscp` is 0..63 and tos_byte() is the only conversion.

The presets are sch_cake's diffserv3/4/8 and besteffort tin tables
(net/sched/sch_cake.c, after the RFC 8622 LE change), renumbered so that
band 0 is served first (cake numbers its tins differently per mode).  The
default map is diffserv4:

    0 voice        CS4, CS5, VA, EF, CS6, CS7
    1 video        DSCP 4, CS2, AF2x, CS3, AF3x, AF4x
    2 best effort  CS0, AF1x, DSCP 2, and every unlisted codepoint
    3 bulk         LE, CS1
"""

__all__ = [
    "DSCP", "PRIORITY_NAMES", "DEFAULT_PRIORITY", "default_priority_map",
    "CODEPOINTS", "PRESETS", "DEFAULT_PRESET",
    "parse_dscp", "dscp_name", "tos_byte", "service_class",
    "preset_map", "preset_bands", "preset_band_names", "preset_of",
    "parse_dscp_map", "format_dscp_map",
]  # fmt: skip

DSCP = {
    "cs0": 0, "df": 0, "be": 0, "le": 1,
    "cs1": 8, "af11": 10, "af12": 12, "af13": 14,
    "cs2": 16, "af21": 18, "af22": 20, "af23": 22,
    "cs3": 24, "af31": 26, "af32": 28, "af33": 30,
    "cs4": 32, "af41": 34, "af42": 36, "af43": 38,
    "cs5": 40, "va": 44, "ef": 46, "cs6": 48, "cs7": 56,
}  # fmt: skip

# Other spellings accepted on input: nftables' own name for LE, and RFC 5865's.
_ALIASES = {"lephb": 1, "voice-admit": 44}

# One row per codepoint: canonical name, other names, RFC 4594 service class.
# CS1 keeps its RFC 4594 class although RFC 8622 moved new low-priority
# traffic to LE; RFC 4594 reserves CS7 and names no class for it.
CODEPOINTS = (
    ("CS0", ("DF", "BE"), "Standard"),
    ("LE", (), "Low-Priority Data (RFC 8622)"),
    ("CS1", (), "Low-Priority Data (before RFC 8622)"),
    ("AF11", (), "High-Throughput Data"),
    ("AF12", (), "High-Throughput Data"),
    ("AF13", (), "High-Throughput Data"),
    ("CS2", (), "OAM"),
    ("AF21", (), "Low-Latency Data"),
    ("AF22", (), "Low-Latency Data"),
    ("AF23", (), "Low-Latency Data"),
    ("CS3", (), "Broadcast Video"),
    ("AF31", (), "Multimedia Streaming"),
    ("AF32", (), "Multimedia Streaming"),
    ("AF33", (), "Multimedia Streaming"),
    ("CS4", (), "Real-Time Interactive"),
    ("AF41", (), "Multimedia Conferencing"),
    ("AF42", (), "Multimedia Conferencing"),
    ("AF43", (), "Multimedia Conferencing"),
    ("CS5", (), "Signaling"),
    ("VA", (), "Telephony, capacity-admitted (RFC 5865)"),
    ("EF", (), "Telephony"),
    ("CS6", (), "Network Control"),
    ("CS7", (), "reserved for future use"),
)

_NAME_OF = {DSCP[name.lower()]: name for name, _, _ in CODEPOINTS}
_CLASS_OF = {DSCP[name.lower()]: cls for name, _, cls in CODEPOINTS}

# The old RFC 1349 TOS bits read as DSCPs; cake sorts them like AF codepoints.
_TOS_MAX_THROUGHPUT = 2
_TOS_LOW_DELAY = 4


def parse_dscp(text):
    """A DSCP name (any case: EF, af41, le, CS0/DF/BE) or number 0..63 -> int.

    Numbers may be decimal or 0x-prefixed hex (iptables prints 0x2e).
    Raises ValueError naming the bad value and the valid range.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        word = str(text).strip().lower()
        if word in DSCP:
            return DSCP[word]
        if word in _ALIASES:
            return _ALIASES[word]
        try:
            value = int(word, 16) if word.startswith("0x") else int(word, 10)
        except ValueError:
            names = ", ".join(name for name, _, _ in CODEPOINTS)
            raise ValueError(
                f"unknown DSCP {text!r}: use a number 0..63 or one of {names}, DF, BE"
            ) from None
    if not 0 <= value <= 63:
        hint = ""
        if 64 <= value <= 255:
            hint = f" (if {text} is a TOS byte, its DSCP is {value >> 2})"
        raise ValueError(f"DSCP {text} is outside the valid range 0..63{hint}")
    return value


def dscp_name(dscp):
    """The canonical upper-case name of a codepoint ('EF', 'CS0'), or None."""
    return _NAME_OF.get(dscp)


def tos_byte(dscp):
    """The IPv4 TOS / IPv6 traffic class byte carrying this DSCP (ECN bits 0)."""
    if not 0 <= dscp <= 63:
        raise ValueError(f"DSCP {dscp} is outside the valid range 0..63")
    return dscp << 2


def service_class(dscp):
    """The RFC 4594 service class of a named codepoint, or None."""
    return _CLASS_OF.get(dscp)


def _afx(x):
    return (f"af{x}1", f"af{x}2", f"af{x}3")


# Each preset: band names (band 0 served first), the codepoints of every band
# but the default one, and the default band for every codepoint not listed.
PRESETS = {
    "diffserv3": (
        ("voice", "best effort", "bulk"),
        {
            0: (_TOS_LOW_DELAY, "va", "ef", "cs6", "cs7"),
            2: ("le", "cs1"),
        },
        1,
    ),
    "diffserv4": (
        ("voice", "video", "best effort", "bulk"),
        {
            0: ("cs4", "cs5", "va", "ef", "cs6", "cs7"),
            1: (_TOS_LOW_DELAY, "cs2", *_afx(2), "cs3", *_afx(3), *_afx(4)),
            3: ("le", "cs1"),
        },
        2,
    ),
    "diffserv8": (
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
    "besteffort": (("best effort",), {}, 0),
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
    _, groups, default_band = _preset(name)
    bands = [default_band] * 64
    for band, members in groups.items():
        for member in members:
            bands[member if isinstance(member, int) else DSCP[member]] = band
    return bands


def preset_bands(name):
    """How many bands a preset uses (diffserv3 -> 3, besteffort -> 1)."""
    return len(_preset(name)[0])


def preset_band_names(name):
    """The bands' names, band 0 first: ('voice', 'best effort', 'bulk')."""
    return _preset(name)[0]


def preset_of(band_map):
    """The name of the preset whose map equals band_map, or None."""
    band_map = list(band_map)
    return next((name for name in PRESETS if preset_map(name) == band_map), None)


def parse_dscp_map(text, bands):
    """Parse 'EF=0,AF41=1,default=2' into 64 bands indexed by DSCP.

    Keys are DSCP names or numbers as parse_dscp() takes them, plus
    `default` for every codepoint not listed; without it those go to the
    last band (bands - 1), the lowest priority.  A codepoint listed twice,
    also under two names (CS0 and DF), is an error, as is a band outside
    0..bands-1.  Raises ValueError naming the bad item.
    """
    if isinstance(bands, bool) or not isinstance(bands, int) or bands < 1:
        raise ValueError(f"the band count must be a positive integer, not {bands!r}")
    assigned = {}  # dscp -> (item text, band)
    default_band = None
    for item in text.split(","):
        key, sep, band_text = item.partition("=")
        key, band_text = key.strip(), band_text.strip()
        if not sep or not key or not band_text:
            raise ValueError(f"bad DSCP map item {item.strip()!r}: write NAME=BAND, e.g. EF=0")
        band = _parse_band(band_text, bands, item.strip())
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
    result = [bands - 1 if default_band is None else default_band] * 64
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
    if len(band_map) != 64:
        raise ValueError(f"a DSCP map has 64 entries, not {len(band_map)}")
    default_band = max(sorted(set(band_map)), key=band_map.count)
    items = [
        f"{dscp_name(dscp) or dscp}={band}"
        for dscp, band in enumerate(band_map)
        if band != default_band
    ]
    return ",".join(items + [f"default={default_band}"])


# What the simulator (eiffel.policies.priority) was written against.
PRIORITY_NAMES = preset_band_names("diffserv4")
DEFAULT_PRIORITY = PRESETS["diffserv4"][2]  # best effort: where unlisted codepoints go


def default_priority_map():
    """A list of 64 priorities (0 = served first), indexed by DSCP: diffserv4."""
    return preset_map("diffserv4")
