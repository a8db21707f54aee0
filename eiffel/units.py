"""Units, shared by the qdisc's options and the simulator.

Inside the package: integer nanoseconds, bytes, and bits per second.

Text is read the way tc(8) reads it ("UNITS"), case-insensitively:

* rates: a number and bit (or nothing), kbit, mbit, gbit, tbit, or their
  binary kibit .. tibit; bytes per second as bps, kbps, mbps, gbps, tbps
  (kibps .. tibps).  Like tc, "bps" means bytes.  A bare SI prefix, as in
  "10G", means bits ("10gbit").  The number may have a fraction or an
  exponent ("2.5gbit", "1e9").
* times: a number and s, ms, us or ns (also sec, msec, usec, nsec and
  their plurals).  Unlike tc, a bare number is refused: tc reads it as
  microseconds, this package's Python API as nanoseconds.

Parsed values are exact integers; printing gives the largest unit that
states the value exactly, so that printed text parses back to the same
value.
"""

import re
from decimal import Decimal
from fractions import Fraction
from numbers import Real

__all__ = [
    "NS_PER_S", "check_rate", "format_rate", "format_time", "parse_rate", "parse_time",
    "transmission_ns",
]  # fmt: skip

NS_PER_S = 1_000_000_000

_K, _KI = 1000, 1024
# Bits per second per unit, keyed in lower case (tc compares with strcasecmp).
RATE_UNITS = {
    "": 1, "bit": 1,
    "k": _K, "kbit": _K, "m": _K**2, "mbit": _K**2,
    "g": _K**3, "gbit": _K**3, "t": _K**4, "tbit": _K**4,
    "kibit": _KI, "mibit": _KI**2, "gibit": _KI**3, "tibit": _KI**4,
    "bps": 8, "kbps": 8 * _K, "mbps": 8 * _K**2, "gbps": 8 * _K**3, "tbps": 8 * _K**4,
    "kibps": 8 * _KI, "mibps": 8 * _KI**2, "gibps": 8 * _KI**3, "tibps": 8 * _KI**4,
}  # fmt: skip
# Nanoseconds per unit, keyed in lower case.
TIME_UNITS = {
    **dict.fromkeys(("s", "sec", "secs"), NS_PER_S),
    **dict.fromkeys(("ms", "msec", "msecs"), 1_000_000),
    **dict.fromkeys(("us", "usec", "usecs"), 1_000),
    **dict.fromkeys(("ns", "nsec", "nsecs"), 1),
}
# How values are printed, largest unit first (tc's spelling).
_RATE_PRINT = (("Tbit", _K**4), ("Gbit", _K**3), ("Mbit", _K**2), ("Kbit", _K))
_TIME_PRINT = (("s", NS_PER_S), ("ms", 1_000_000), ("us", 1_000))

_QUANTITY = re.compile(r"\s*((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*")


def _quantity(text, what, units, example):
    """(number as a Fraction, scale of its unit) from text like '2.5mbit'."""
    match = _QUANTITY.fullmatch(text)
    if not match:
        raise ValueError(f"{what}: cannot parse {text!r}: write a number and a unit, e.g. {example}")
    unit = match.group(2).lower()
    if unit not in units:
        known = ", ".join(name for name in units if name)
        raise ValueError(f"{what}: unknown unit {match.group(2)!r} in {text!r} (known: {known})")
    return Fraction(match.group(1)), units[unit]


def _whole(text, what, units, example, unit_name):
    number, scale = _quantity(text, what, units, example)
    value = number * scale
    if value.denominator != 1:
        raise ValueError(f"{what}: {text!r} is not a whole number of {unit_name}")
    return int(value)


def parse_rate(text, what="rate"):
    """Bits per second (int) from tc-style text: '100mbit', '12.5MBps', '10G', '1e9'."""
    return _whole(text, what, RATE_UNITS, "100mbit", "bits per second")


def parse_time(text, what="time"):
    """Nanoseconds (int) from text with a unit: '40ms', '2.5us', '10s'."""
    return _whole(text, what, TIME_UNITS, "40ms", "nanoseconds")


def _exact(value, scale):
    """value / scale written in full ('9.876536'), never in exponent form."""
    return format((Decimal(value) / Decimal(scale)).normalize(), "f")


def format_rate(bits_per_second):
    """'20Mbit', '550Kbit', '9.876536Mbit': exact, in tc's spelling."""
    for unit, scale in _RATE_PRINT:
        if bits_per_second >= scale:
            return _exact(bits_per_second, scale) + unit
    return f"{bits_per_second}bit"


def format_time(ns):
    """'40ms', '10s', '65536ns': the largest unit that states ns exactly."""
    for unit, scale in _TIME_PRINT:
        if ns >= scale and ns % scale == 0:
            return f"{ns // scale}{unit}"
    return f"{ns}ns"


def transmission_ns(size, rate):
    """Time to send size bytes at rate bits/s, in ns rounded up.

    size may be an int or an integer numpy array; rate is truncated to
    whole bits per second so that the arithmetic stays integer.
    """
    return -(-size * 8 * NS_PER_S // int(rate))


def check_rate(rate, what="rate"):
    """rate as given if it is a number of bits per second >= 1, else ValueError."""
    if isinstance(rate, bool) or not isinstance(rate, Real) or not rate >= 1:
        raise ValueError(f"{what} {rate!r} must be a number of bits per second >= 1")
    return rate
