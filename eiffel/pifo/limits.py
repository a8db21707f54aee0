"""Rate limits a node can carry: pacing and a token bucket.

Following Carousel (SIGCOMM'17), which Eiffel's shaper builds on, a limit
turns into a timestamp per packet: the time at which the packet may move
past the limited node.  The scheduler's one shaper holds it until then.
Times are integer nanoseconds, rates bits per second, sizes bytes.
"""

from eiffel.units import NS_PER_S, check_rate, transmission_ns

__all__ = ["Pacing", "TokenBucket"]


class Pacing:
    """Space packets at rate bits/s: each may leave one transmission time after the last."""

    def __init__(self, rate):
        self.rate = check_rate(rate)
        self._bps = int(rate)

    def __repr__(self):
        return f"Pacing({self.rate:g})"

    def bind(self, trace):
        self.size = trace.column("size")
        self.next_time = 0

    def stamp(self, pkt, now):
        ts = now if now > self.next_time else self.next_time
        self.next_time = ts + transmission_ns(self.size[pkt], self._bps)
        return ts


class TokenBucket:
    """At most burst + rate * t bytes in any interval t: tokens fill at rate up to burst bytes."""

    def __init__(self, rate, burst):
        self.rate = check_rate(rate)
        self._bps = int(rate)
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 0:
            raise ValueError(f"burst {burst!r} must be a non-negative number of bytes")
        self.burst = burst

    def __repr__(self):
        return f"TokenBucket({self.rate:g}, burst={self.burst})"

    def bind(self, trace):
        self.size = trace.column("size")
        # Kept as the time at which the bucket would be full ("theoretical
        # arrival time" of the GCRA form), so that no float drifts.
        self.full_at = 0

    def stamp(self, pkt, now):
        cost = transmission_ns(self.size[pkt], self._bps)
        allowance = self.burst * 8 * NS_PER_S // self._bps
        full_at = self.full_at if self.full_at > now else now
        # Wait until the bucket holds the packet's tokens; a packet larger
        # than the bucket waits for a full bucket and leaves it in debt.
        ts = full_at + min(0, cost - allowance)
        if ts < now:
            ts = now
        self.full_at = full_at + cost
        return ts
