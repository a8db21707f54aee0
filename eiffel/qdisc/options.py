"""The qdisc's options: one table, and Options, a checked set of them.

Each row of OPTIONS says all there is to say about one option on the Python
side: its keyword (which is also its tc-style word), its TCA_EIFFEL_*
attribute, and its kind, which decides the unit, the pyroute2 type, how a
value is checked, converted, read from a word and printed.  Ranges come
from the uapi header (eiffel.qdisc.uapi); the table is in the order
`eiffel qdisc show` prints, tc fq's.

Units in Python (each attribute's kernel unit is in the uapi header):

* packets: ``limit``, ``flow_limit``, ``band_limit`` (``None``: no limit of
  its own); bytes: ``quantum``, ``initial_quantum``
* rates, bytes per second (like ``SO_MAX_PACING_RATE``): ``maxrate``,
  ``low_rate_threshold``, ``rate`` (the root shaper); an int, or a string
  with tc's units ("100mbit", "12.5MBps", see eiffel.units); ``None`` means
  unlimited for ``maxrate`` and ``rate``
* times, nanoseconds: ``refill_delay``, ``ce_threshold`` (``None``: never
  mark), ``timer_slack``, ``horizon``, ``granularity``; an int, or a string
  with a unit ("40ms", "10us", "65536ns")
* ``buckets``: flow hash table size, a power of two (like tc's fq)
* booleans: ``pacing`` (sch_fq's rate_enable; ``nopacing=True`` is the
  same as ``pacing=False``), ``horizon_drop`` (``horizon_cap=True`` is
  ``horizon_drop=False``)
* bands: ``bands`` (band 0 served first), ``dscp_map`` (one band per DSCP),
  ``default_band`` (non-IP packets), ``weights`` (one int per band, bytes
  per round; ``[]`` = strict priority)
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eiffel import dscp, units
from eiffel.qdisc import uapi

__all__ = ["OPTIONS", "Option", "Options", "decode"]

NS_PER_US = 1000
U32_MAX = 2**32 - 1  # what a u32 attribute holds
U64_MAX = 2**64 - 1


def _int(name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def _in_range(name, value, lo, hi):
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be {lo} to {hi}, not {value}")
    return value


def _whole(name, text):
    try:
        return int(text, 0)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a whole number") from None


class _Kind:
    """How one kind of option is checked, converted, read and printed.

    to_kernel(name, value, validate) -> the attribute's value; validate=False
    keeps the type checks and what the attribute can hold, and leaves the
    ranges to the kernel.  from_kernel(raw) -> the Python value.
    parse(name, text) -> the Python value of a tc-style word.
    format(value) -> that word; shown(value) says whether `show` prints it.
    """

    nla = "uint32"
    none_word = None  # the word for None, if the option takes None

    def shown(self, value):
        return value is not None

    def format(self, value):
        return str(value)


class Count(_Kind):
    """A whole number in [lo, hi]; with none_word, None is the attribute's
    maximum (the kernel's "no limit")."""

    def __init__(self, lo, hi=U32_MAX, *, suffix="", none_word=None):
        self.lo, self.hi = lo, hi
        self.suffix, self.none_word = suffix, none_word

    def to_kernel(self, name, value, validate):
        if value is None and self.none_word:
            return U32_MAX
        value = _int(name, value)
        return _in_range(name, value, *((self.lo, self.hi) if validate else (0, U32_MAX)))

    def from_kernel(self, raw):
        return None if self.none_word and raw == U32_MAX else raw

    def parse(self, name, text):
        if text == self.none_word:
            return None
        # "10000p", as format() and tc print it, reads back.
        return _whole(name, text.removesuffix(self.suffix) if self.suffix else text)

    def format(self, value):
        return f"{value}{self.suffix}"


class PowerOfTwo(_Kind):
    """A table size: a power of two in Python, its log2 in the attribute."""

    def __init__(self, log_lo, log_hi):
        self.log_lo, self.log_hi = log_lo, log_hi

    def to_kernel(self, name, value, validate):
        value = _int(name, value)
        if value < 1 or value & (value - 1):
            raise ValueError(f"{name} must be a power of two, not {value}")
        if validate:
            _in_range(name, value, 1 << self.log_lo, 1 << self.log_hi)
        return value.bit_length() - 1

    def from_kernel(self, raw):
        return 1 << raw

    def parse(self, name, text):
        return _whole(name, text)


class Flag(_Kind):
    """A boolean; its two words (pacing / nopacing).  quiet: the value that
    `show` leaves out, as tc fq does for pacing."""

    nla = "uint8"

    def __init__(self, true_word, false_word, quiet=None):
        self.true_word, self.false_word, self.quiet = true_word, false_word, quiet

    def to_kernel(self, name, value, validate):
        if isinstance(value, bool):
            return int(value)
        return _in_range(name, _int(name, value), 0, 1 if validate else 0xFF)

    def from_kernel(self, raw):
        return bool(raw)

    def shown(self, value):
        return value != self.quiet

    def format(self, value):
        return self.true_word if value else self.false_word


class Rate(_Kind):
    """Bytes per second: an int, or text in tc's units; with none_word, None
    is TC_EIFFEL_UNLIMITED."""

    nla = "uint64"

    def __init__(self, none_word=None):
        self.none_word = none_word

    def to_kernel(self, name, value, validate):
        if value is None and self.none_word:
            return uapi.TC_EIFFEL_UNLIMITED
        if isinstance(value, str):
            value = self.parse(name, value)
        return _in_range(name, _int(name, value), 0, U64_MAX)

    def from_kernel(self, raw):
        return None if self.none_word and raw == uapi.TC_EIFFEL_UNLIMITED else raw

    def parse(self, name, text):
        if text == self.none_word:
            return None
        bits = units.parse_rate(text, name)
        if bits % 8:
            raise ValueError(f"{name}: {text!r} is not a whole number of bytes per second")
        return bits // 8

    def format(self, value):
        return units.format_rate(value * 8)


class Time(_Kind):
    """Nanoseconds in Python, in units of unit_ns in the (u32) attribute;
    with none_word, None is none_value."""

    def __init__(self, unit_ns, lo=0, hi=None, *, none_word=None, none_value=None):
        self.unit_ns, self.lo = unit_ns, lo
        self.hi = U32_MAX * unit_ns if hi is None else hi
        self.none_word, self.none_value = none_word, none_value

    def to_kernel(self, name, value, validate):
        if value is None and self.none_word:
            return self.none_value
        if isinstance(value, str):
            value = units.parse_time(value, name)
        ns = _int(name, value)
        if ns % self.unit_ns:
            raise ValueError(f"{name} must be a multiple of {self.unit_ns} ns, not {ns}")
        if validate:
            _in_range(name, ns, self.lo, self.hi)
        return _in_range(name, ns // self.unit_ns, 0, U32_MAX)

    def from_kernel(self, raw):
        return None if self.none_word and raw == self.none_value else raw * self.unit_ns

    def parse(self, name, text):
        return None if text == self.none_word else units.parse_time(text, name)

    def format(self, value):
        return units.format_time(value)


class DscpMap(_Kind):
    """One band per DSCP.  Words: a preset name or NAME=BAND items, which
    eiffel.qdisc.words resolves (they depend on bands)."""

    nla = "cdata"

    def to_kernel(self, name, value, validate):
        value = list(value)
        if len(value) != uapi.TC_EIFFEL_DSCP_COUNT:
            raise ValueError(
                f"{name} must have {uapi.TC_EIFFEL_DSCP_COUNT} entries, not {len(value)}")
        hi = uapi.TC_EIFFEL_BANDS_MAX - 1 if validate else 0xFF
        for code, band in enumerate(value):
            _in_range(f"{name}[{code}] (band of DSCP {code})", _int(f"{name}[{code}]", band), 0, hi)
        return bytes(value)

    def from_kernel(self, raw):
        return list(raw)

    def parse(self, name, text):
        return text

    def format(self, value):
        return dscp.preset_of(value) or dscp.format_dscp_map(value)


class Weights(_Kind):
    """WRR: bytes per round of each band, one u32 each; [] is strict priority."""

    nla = "cdata"

    def to_kernel(self, name, value, validate):
        value = [] if value is None else list(value)
        if validate and len(value) > uapi.TC_EIFFEL_BANDS_MAX:
            raise ValueError(
                f"{name} must have at most {uapi.TC_EIFFEL_BANDS_MAX} entries, not {len(value)}")
        lo, hi = (uapi.TC_EIFFEL_WEIGHT_MIN, uapi.TC_EIFFEL_WEIGHT_MAX) if validate else (0, U32_MAX)
        for band, weight in enumerate(value):
            _in_range(f"{name}[{band}] (bytes per round of band {band})",
                      _int(f"{name}[{band}]", weight), lo, hi)
        return struct.pack(f"={len(value)}I", *value)

    def from_kernel(self, raw):
        return list(struct.unpack(f"={len(raw) // 4}I", raw))

    def parse(self, name, text):
        if text in ("strict", "none"):
            return []
        return [_whole(name, weight) for weight in text.split(",")]

    def shown(self, value):
        return True

    def format(self, value):
        return ",".join(map(str, value)) if value else "strict"


@dataclass(frozen=True)
class Option:
    """One qdisc option: its keyword (and word), attribute and kind."""

    name: str
    attr: str  # TCA_EIFFEL_* name in the uapi header
    kind: _Kind

    @property
    def number(self) -> int:
        return uapi.ATTRIBUTES[self.attr]


_US = NS_PER_US
_BANDS_MAX = uapi.TC_EIFFEL_BANDS_MAX

OPTIONS: dict[str, Option] = {opt.name: opt for opt in (
    Option("limit", "TCA_EIFFEL_LIMIT", Count(1, suffix="p")),
    Option("flow_limit", "TCA_EIFFEL_FLOW_LIMIT", Count(1, suffix="p")),
    Option("buckets", "TCA_EIFFEL_BUCKETS_LOG",
           PowerOfTwo(uapi.TC_EIFFEL_BUCKETS_LOG_MIN, uapi.TC_EIFFEL_BUCKETS_LOG_MAX)),
    Option("orphan_mask", "TCA_EIFFEL_ORPHAN_MASK", Count(0)),
    Option("quantum", "TCA_EIFFEL_QUANTUM",
           Count(uapi.TC_EIFFEL_QUANTUM_MIN, uapi.TC_EIFFEL_QUANTUM_MAX, suffix="b")),
    Option("initial_quantum", "TCA_EIFFEL_INITIAL_QUANTUM",
           Count(0, uapi.TC_EIFFEL_QUANTUM_MAX, suffix="b")),
    Option("low_rate_threshold", "TCA_EIFFEL_LOW_RATE_THRESHOLD", Rate()),
    Option("maxrate", "TCA_EIFFEL_MAXRATE", Rate(none_word="unlimited")),
    Option("refill_delay", "TCA_EIFFEL_REFILL_DELAY", Time(_US)),
    Option("timer_slack", "TCA_EIFFEL_TIMER_SLACK", Time(1, hi=uapi.TC_EIFFEL_TIMER_SLACK_MAX)),
    Option("horizon", "TCA_EIFFEL_HORIZON", Time(_US)),
    Option("horizon_drop", "TCA_EIFFEL_HORIZON_DROP", Flag("horizon_drop", "horizon_cap")),
    Option("ce_threshold", "TCA_EIFFEL_CE_THRESHOLD",
           Time(_US, none_word="off", none_value=uapi.TC_EIFFEL_CE_THRESHOLD_OFF)),
    Option("pacing", "TCA_EIFFEL_RATE_ENABLE", Flag("pacing", "nopacing", quiet=True)),
    Option("granularity", "TCA_EIFFEL_GRANULARITY",
           Time(1, uapi.TC_EIFFEL_GRANULARITY_MIN, uapi.TC_EIFFEL_GRANULARITY_MAX)),
    Option("rate", "TCA_EIFFEL_RATE", Rate(none_word="unlimited")),
    Option("bands", "TCA_EIFFEL_BANDS", Count(1, _BANDS_MAX)),
    Option("dscp_map", "TCA_EIFFEL_DSCP_MAP", DscpMap()),
    Option("default_band", "TCA_EIFFEL_DEFAULT_BAND", Count(0, _BANDS_MAX - 1)),
    Option("weights", "TCA_EIFFEL_WEIGHTS", Weights()),
    Option("band_limit", "TCA_EIFFEL_BAND_LIMIT", Count(1, suffix="p", none_word="none")),
)}  # fmt: skip

_BY_ATTR = {opt.attr: opt for opt in OPTIONS.values()}
# The other word of each flag, as a keyword: nopacing=True is pacing=False.
NEGATIONS = {opt.kind.false_word: opt.name for opt in OPTIONS.values() if isinstance(opt.kind, Flag)}


def _resolve_negations(values):
    for negation, name in NEGATIONS.items():
        if negation in values:
            value = not values.pop(negation)
            if name in values and bool(values[name]) != value:
                raise ValueError(f"{negation} and {name} contradict each other")
            values[name] = value
    return values


def decode(attrs) -> dict[str, Any]:
    """(TCA_EIFFEL_* name, value) pairs, as pyroute2 gives them -> Python options."""
    out = {}
    for attr, raw in attrs:
        opt = _BY_ATTR.get(attr)
        if opt is not None:
            out[opt.name] = opt.kind.from_kernel(raw)
    return out


class Options(Mapping):
    """A checked set of qdisc options, converted once to the kernel's units.

    Options(limit=100, maxrate="1gbit") checks every value (TypeError or
    ValueError naming the option, the value and the valid range) and holds
    both forms: as a mapping, each given option in Python's units (the form
    dump() returns); .attrs, the [TCA_EIFFEL_*, value] pairs netlink sends.
    validate=False keeps the type checks and leaves the ranges to the
    kernel (for testing its checks).
    """

    def __init__(self, values=None, /, *, validate=True, **kwargs):
        given = _resolve_negations({**(values or {}), **kwargs})
        attrs = []
        for name, value in given.items():
            opt = OPTIONS.get(name)
            if opt is None:
                known = ", ".join([*OPTIONS, *NEGATIONS])
                raise TypeError(f"unknown eiffel option {name!r} (known: {known})")
            attrs.append((opt.attr, opt.kind.to_kernel(name, value, validate)))
        self._attrs = tuple(attrs)
        self._values = decode(attrs)

    @property
    def attrs(self) -> list[list]:
        """[TCA_EIFFEL_* name, attribute value] pairs, for pyroute2."""
        return [list(pair) for pair in self._attrs]

    def __getitem__(self, name):
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        return "Options(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items()) + ")"
