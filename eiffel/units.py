"""The model's units: integer nanoseconds, bytes, bits per second."""

__all__ = ["NS_PER_S", "check_rate", "transmission_ns"]

from numbers import Real

NS_PER_S = 1_000_000_000


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
