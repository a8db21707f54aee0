"""tc-style option words of `eiffel qdisc` <-> eiffel.netlink's options.

Names and units follow tc's fq ("limit 10000", "maxrate 1gbit",
"horizon 10s", "horizon_drop"); the words eiffel adds:

* ``rate RATE``: root shaper (``rate unlimited`` removes it)
* ``bands N`` (1 to 8, band 0 served first)
* ``dscp_map PRESET`` (diffserv3, diffserv4, diffserv8, besteffort: also
  sets bands and default_band) or ``dscp_map EF=0,AF41=1,default=2``
* ``default_band B``: band of non-IP packets
* ``weights W0,W1,...``: bytes per round of each band (WRR; one per band);
  ``weights strict`` goes back to strict priority
* ``band_limit N`` (packets per band; ``band_limit none``)

parse_words() returns the options for eiffel.netlink; format_options() and
format_stats() print them back the way ``tc -s qdisc show`` does.
"""

from __future__ import annotations

from eiffel import dscp
from eiffel.qdisc import netlink

# word -> (netlink option, kind); kind picks the value parser below.
_VALUED = {
    "limit": "count", "flow_limit": "count", "quantum": "count",
    "initial_quantum": "count", "orphan_mask": "count", "buckets": "count",
    "bands": "count", "default_band": "count",
    "maxrate": "rate", "rate": "rate", "low_rate_threshold": "rate",
    "refill_delay": "time", "ce_threshold": "time", "timer_slack": "time",
    "horizon": "time", "granularity": "time",
    "band_limit": "limit", "dscp_map": "map", "weights": "weights",
}
_FLAGS = {
    "pacing": ("pacing", True), "nopacing": ("pacing", False),
    "horizon_drop": ("horizon_drop", True), "horizon_cap": ("horizon_drop", False),
}
_NONE_WORDS = {
    "maxrate": "unlimited", "rate": "unlimited", "ce_threshold": "off", "band_limit": "none",
}
WORDS = sorted([*_VALUED, *_FLAGS])


def _count(word, text):
    try:
        return int(text, 0)
    except ValueError:
        raise ValueError(f"{word}: {text!r} is not a whole number") from None


def _value(word, text):
    kind = _VALUED[word]
    if _NONE_WORDS.get(word) == text:
        return None
    if kind == "count":
        return _count(word, text)
    if kind == "limit":
        return _count(word, text)
    if kind == "rate":
        return netlink.parse_rate(text, word)
    if kind == "time":
        return netlink.parse_time(text, word)
    if kind == "weights":
        if text in ("strict", "none"):
            return []
        return [_count("weights", w) for w in text.split(",")]
    return text  # dscp_map: resolved once bands are known


def parse_words(words, current_bands=None):
    """Options from tc-style words: ["limit", "100", "horizon_cap", ...].

    current_bands: the qdisc's band count, for a dscp_map list given
    without bands (the kernel's default, 4, when None).  Raises ValueError
    naming the bad word or value and what is valid.
    """
    options, i = {}, 0
    words = list(words)
    while i < len(words):
        word = words[i]
        if word in _FLAGS:
            name, value = _FLAGS[word]
            if name in options and options[name] != value:
                raise ValueError(f"{word} contradicts an earlier option")
            options[name] = value
            i += 1
            continue
        if word not in _VALUED:
            raise ValueError(f"unknown option {word!r} (valid: {', '.join(WORDS)})")
        if i + 1 >= len(words):
            raise ValueError(f"{word} needs a value")
        if word in options:
            raise ValueError(f"{word} is given twice")
        options[word] = _value(word, words[i + 1])
        i += 2
    if "dscp_map" in options:
        _resolve_map(options, current_bands)
    # Checked here, with the messages of eiffel.netlink, before any request.
    netlink.encode_options(options)
    return options


def _resolve_map(options, current_bands):
    text = options["dscp_map"]
    if text in dscp.PRESETS:
        bands = dscp.preset_bands(text)
        if options.setdefault("bands", bands) != bands:
            raise ValueError(f"dscp_map {text} has {bands} bands, but bands is {options['bands']}")
        options["dscp_map"] = dscp.preset_map(text)
        options.setdefault("default_band", options["dscp_map"][0])
        return
    bands = options.get("bands", current_bands or dscp.preset_bands(dscp.DEFAULT_PRESET))
    try:
        options["dscp_map"] = dscp.parse_dscp_map(text, bands)
    except ValueError as err:
        raise ValueError(f"dscp_map: {err} (or a preset: {', '.join(dscp.PRESETS)})") from None


# --------------------------------------------------------------------------
# Printing


def _rate(bytes_per_s):
    bits = bytes_per_s * 8
    for unit, scale in (("Gbit", 10**9), ("Mbit", 10**6), ("Kbit", 10**3)):
        if bits >= scale:
            return f"{bits / scale:g}{unit}"
    return f"{bits}bit"


def _time(ns):
    for unit, scale in (("s", 10**9), ("ms", 10**6), ("us", 10**3)):
        if ns >= scale and ns % scale == 0:
            return f"{ns // scale}{unit}"
    return f"{ns}ns"


def format_options(opts):
    """One line of tc-style words, in the order tc prints fq's options."""
    words = [f"limit {opts['limit']}p", f"flow_limit {opts['flow_limit']}p",
             f"buckets {opts['buckets']}", f"orphan_mask {opts['orphan_mask']}",
             f"quantum {opts['quantum']}b", f"initial_quantum {opts['initial_quantum']}b",
             f"low_rate_threshold {_rate(opts['low_rate_threshold'])}"]
    if opts["maxrate"] is not None:
        words.append(f"maxrate {_rate(opts['maxrate'])}")
    words.append(f"refill_delay {_time(opts['refill_delay'])}")
    words.append(f"timer_slack {_time(opts['timer_slack'])}")
    words.append(f"horizon {_time(opts['horizon'])}")
    words.append("horizon_drop" if opts["horizon_drop"] else "horizon_cap")
    if opts["ce_threshold"] is not None:
        words.append(f"ce_threshold {_time(opts['ce_threshold'])}")
    if not opts["pacing"]:
        words.append("nopacing")
    words.append(f"granularity {_time(opts['granularity'])}")
    if opts["rate"] is not None:
        words.append(f"rate {_rate(opts['rate'])}")
    words.append(f"bands {opts['bands']}")
    preset = dscp.preset_of(opts["dscp_map"])
    words.append(f"dscp_map {preset or dscp.format_dscp_map(opts['dscp_map'])}")
    words.append(f"default_band {opts['default_band']}")
    weights = opts["weights"]
    words.append("weights " + (",".join(map(str, weights)) if weights else "strict"))
    if opts["band_limit"] is not None:
        words.append(f"band_limit {opts['band_limit']}p")
    return " ".join(words)


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
)


def format_stats(st, bands):
    """tc -s style counter lines (indented), per band last."""
    lines = [f" Sent {st['bytes']} bytes {st['packets']} pkt (dropped {st['drops']}, "
             f"overlimits {st['overlimits']} requeues {st['requeues']})",
             f" backlog {st['backlog']}b {st['qlen']}p requeues {st['requeues']}"]
    for keys in _STAT_LINES:
        lines.append("  " + " ".join(f"{k} {st[k]}" for k in keys))
    for b in range(bands):
        lines.append(f"  band {b}: packets {st['band_packets'][b]} bytes {st['band_bytes'][b]} "
                     f"drops {st['band_drops'][b]} qlen {st['band_qlen'][b]}")
    return "\n".join(lines)
