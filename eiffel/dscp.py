"""DSCP codepoints and the default DSCP -> priority map.

Values from RFC 2474 (CS), 2597 (AF), 3246 (EF), 5865 (VOICE-ADMIT) and
8622 (LE): CSx = 8x, AFxy = 8x + 2y.  Names follow nftables (lower case).

The default map groups the RFC 4594 service classes the way sch_cake's
diffserv4 mode does (dtaht/sch_cake, cake_config_diffserv4, after the
RFC 8622 change), and orders cake's four tins as strict priorities:

    0 voice        CS4, CS5, VA, EF, CS6, CS7
    1 video        DSCP 4, CS2, AF2x, CS3, AF3x, AF4x
    2 best effort  CS0, AF1x, DSCP 2, and every unlisted codepoint
    3 bulk         LE, CS1
"""

__all__ = ["DSCP", "PRIORITY_NAMES", "DEFAULT_PRIORITY", "default_priority_map"]

DSCP = {
    "cs0": 0, "df": 0, "be": 0, "le": 1,
    "cs1": 8, "af11": 10, "af12": 12, "af13": 14,
    "cs2": 16, "af21": 18, "af22": 20, "af23": 22,
    "cs3": 24, "af31": 26, "af32": 28, "af33": 30,
    "cs4": 32, "af41": 34, "af42": 36, "af43": 38,
    "cs5": 40, "va": 44, "ef": 46, "cs6": 48, "cs7": 56,
}  # fmt: skip

PRIORITY_NAMES = ("voice", "video", "best effort", "bulk")
DEFAULT_PRIORITY = 2  # best effort: where unlisted codepoints go

_GROUPS = {
    0: ("cs4", "cs5", "va", "ef", "cs6", "cs7"),
    1: ("cs2", "af21", "af22", "af23", "cs3", "af31", "af32", "af33", "af41", "af42", "af43"),
    3: ("le", "cs1"),
}
_TOS_LOW_DELAY = 4  # the old TOS "low delay" bit read as a DSCP: cake puts it in video


def default_priority_map():
    """A list of 64 priorities (0 = served first), indexed by DSCP."""
    priority = [DEFAULT_PRIORITY] * 64
    for band, names in _GROUPS.items():
        for name in names:
            priority[DSCP[name]] = band
    priority[_TOS_LOW_DELAY] = 1
    return priority
