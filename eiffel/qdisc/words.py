"""tc-style words of `eiffel qdisc` <-> the qdisc's options.

Every option of the table in eiffel.qdisc.options is a word, named and
written like tc's fq: a flag by either of its two words ("pacing" /
"nopacing", "horizon_drop" / "horizon_cap"), any other followed by its
value ("limit 10000", "maxrate 1gbit", "horizon 10s").  Values in words:

* ``maxrate``/``rate unlimited``, ``ce_threshold off``, ``band_limit
  none``, ``weights strict``: no limit, never mark, strict priority
* ``weights W0,W1,...``: bytes per round of each band
* ``dscp_map PRESET`` (diffserv3, diffserv4, diffserv8, besteffort: also
  sets bands and default_band) or ``dscp_map EF=0,AF41=1,default=2``.  In
  a list, codepoints not listed go to ``default``, or without it to the
  last band: of ``bands`` when given, else of the kernel's default band
  count for add and replace.  change without bands needs ``default=``: the
  words become options before anything is sent, and the qdisc's band
  count is not known without asking it.

parse_words() returns Options (checked and converted once);
format_options() and format_stats() print a dump the way ``tc -s qdisc
show`` does, and format_options() prints words that parse_words() reads back.
"""

from __future__ import annotations

from eiffel import dscp
from eiffel.qdisc import uapi
from eiffel.qdisc.options import OPTIONS, Flag, Options

__all__ = ["WORDS", "format_options", "format_stats", "parse_words"]

# A flag's words: word -> (option, value).
_FLAG_WORDS = {}
for _opt in OPTIONS.values():
    if isinstance(_opt.kind, Flag):
        _FLAG_WORDS[_opt.kind.true_word] = (_opt.name, True)
        _FLAG_WORDS[_opt.kind.false_word] = (_opt.name, False)
_VALUED = [name for name, opt in OPTIONS.items() if not isinstance(opt.kind, Flag)]
WORDS = sorted([*_VALUED, *_FLAG_WORDS])


def parse_words(words, action="add"):
    """Options from tc-style words: ["limit", "100", "horizon_cap", ...].

    action ("add", "change" or "replace") decides where a DSCP map list
    sends unlisted codepoints (see above).  Raises ValueError (or
    TypeError) naming the bad word or value and what is valid.
    """
    values, i = {}, 0
    words = list(words)
    while i < len(words):
        word = words[i]
        if word in _FLAG_WORDS:
            name, value = _FLAG_WORDS[word]
            if name in values and values[name] != value:
                raise ValueError(f"{word} contradicts an earlier option")
            values[name] = value
            i += 1
            continue
        if word not in _VALUED:
            raise ValueError(f"unknown option {word!r} (valid: {', '.join(WORDS)})")
        if i + 1 >= len(words):
            raise ValueError(f"{word} needs a value")
        if word in values:
            raise ValueError(f"{word} is given twice")
        values[word] = OPTIONS[word].kind.parse(word, words[i + 1])
        i += 2
    if "dscp_map" in values:
        _resolve_map(values, action)
    return Options(values)


def _resolve_map(values, action):
    text = values["dscp_map"]
    if text in dscp.PRESETS:
        bands = dscp.preset_bands(text)
        if values.setdefault("bands", bands) != bands:
            raise ValueError(f"dscp_map {text} has {bands} bands, but bands is {values['bands']}")
        values["dscp_map"] = dscp.preset_map(text)
        values.setdefault("default_band", values["dscp_map"][dscp.DSCP["cs0"]])
        return
    bands = values.get("bands")
    if bands is None and action != "change":
        bands = uapi.TC_EIFFEL_DEF_BANDS
    try:
        values["dscp_map"] = dscp.parse_dscp_map(text, bands)
    except ValueError as err:
        hint = "; or give bands N" if bands is None else ""
        raise ValueError(f"dscp_map: {err}{hint} (or use a preset: {', '.join(dscp.PRESETS)})") from None


# --------------------------------------------------------------------------
# Printing


def format_options(opts):
    """One line of tc-style words, in the table's order (tc fq's)."""
    words = []
    for name, opt in OPTIONS.items():
        if name not in opts or not opt.kind.shown(opts[name]):
            continue
        text = opt.kind.format(opts[name])
        words.append(text if isinstance(opt.kind, Flag) else f"{name} {text}")
    return " ".join(words)


# How `show -s` groups the xstats counters, a line each; a counter not
# listed here (a new one) is printed on a line of its own after them.
_STAT_LINES = (
    ("flows", "inactive_flows", "throttled_flows", "gc_flows", "allocation_errors",
     "flow_buckets", "flow_table_grows"),
    ("enqueued", "dequeued", "limit_drops", "flow_limit_drops", "horizon_drops",
     "horizon_caps", "pkts_too_long", "ce_mark"),
    ("early_packets", "late_packets", "throttled", "unthrottled", "bucket_releases",
     "rate_delays"),
    ("unthrottle_latency_ns", "unthrottle_latency_max_ns", "time_next_delayed_flow"),
    ("cffs_buckets", "cffs_rotations", "cffs_rebases", "cffs_late", "cffs_capped",
     "memory_bytes"),
)  # fmt: skip
_BAND_PREFIX = "band_"


def format_stats(st, bands):
    """tc -s style counter lines (indented): every xstats field, per band last."""
    lines = [f" Sent {st['bytes']} bytes {st['packets']} pkt (dropped {st['drops']}, "
             f"overlimits {st['overlimits']} requeues {st['requeues']})",
             f" backlog {st['backlog']}b {st['qlen']}p requeues {st['requeues']}"]
    grouped = {name for line in _STAT_LINES for name in line}
    rest = tuple(f.name for f in uapi.XSTATS if f.length is None and f.name not in grouped)
    for keys in (*_STAT_LINES, rest):
        if keys:
            lines.append("  " + " ".join(f"{k} {st[k]}" for k in keys))
    per_band = [f.name for f in uapi.XSTATS if f.length is not None and f.name.startswith(_BAND_PREFIX)]
    for b in range(bands):
        counters = " ".join(f"{name[len(_BAND_PREFIX):]} {st[name][b]}" for name in per_band)
        lines.append(f"  band {b}: {counters}")
    return "\n".join(lines)
