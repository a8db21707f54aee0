"""Choosing a rank unit so that a policy's ranks fit a queue of sensible size."""

TARGET_BUCKETS = 1 << 16  # about 1 MB of buckets per queue


def unit_for(span, unit=None, finest=1):
    """The rank unit to use for values spanning [0, span]: unit if given,
    else the smallest one (at least finest) that keeps span // unit below
    TARGET_BUCKETS."""
    if unit is not None:
        if isinstance(unit, bool) or not isinstance(unit, int) or unit < 1:
            raise ValueError(f"unit {unit!r} must be a positive int")
        return unit
    return max(finest, -(-(int(span) + 1) // TARGET_BUCKETS))
