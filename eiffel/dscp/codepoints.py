"""DSCP codepoints and their RFC 4594 service classes.

Values from RFC 2474 (CS), 2597 (AF), 3246 (EF), 5865 (VOICE-ADMIT) and
8622 (LE): CSx = 8x, AFxy = 8x + 2y.  Names follow nftables (lower case);
parse_dscp() also takes them in any case, as iptables spells them.

A DSCP is the top six bits of the IPv4 TOS byte / IPv6 traffic class, so
TOS byte = DSCP << 2.  The two are easy to confuse (EF is DSCP 46 = 0x2e
but TOS 0xb8), which is why they are never mixed here: every value called
`dscp` is 0..63 and tos_byte() is the only conversion.
"""

from eiffel.qdisc import uapi

__all__ = [
    "CODEPOINTS", "DSCP", "DSCP_COUNT", "dscp_name", "parse_dscp", "service_class", "tos_byte",
]  # fmt: skip

DSCP_COUNT = uapi.TC_EIFFEL_DSCP_COUNT  # six bits: 0..63
_DSCP_MAX = DSCP_COUNT - 1

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
                f"unknown DSCP {text!r}: use a number 0..{_DSCP_MAX} or one of {names}, DF, BE"
            ) from None
    if not 0 <= value <= _DSCP_MAX:
        hint = ""
        if DSCP_COUNT <= value <= 0xFF:
            hint = f" (if {text} is a TOS byte, its DSCP is {value >> 2})"
        raise ValueError(f"DSCP {text} is outside the valid range 0..{_DSCP_MAX}{hint}")
    return value


def dscp_name(dscp):
    """The canonical upper-case name of a codepoint ('EF', 'CS0'), or None."""
    return _NAME_OF.get(dscp)


def tos_byte(dscp):
    """The IPv4 TOS / IPv6 traffic class byte carrying this DSCP (ECN bits 0)."""
    if not 0 <= dscp <= _DSCP_MAX:
        raise ValueError(f"DSCP {dscp} is outside the valid range 0..{_DSCP_MAX}")
    return dscp << 2


def service_class(dscp):
    """The RFC 4594 service class of a named codepoint, or None."""
    return _CLASS_OF.get(dscp)
