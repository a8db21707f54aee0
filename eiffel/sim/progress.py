"""A one-line progress bar on stderr for long runs (no dependency)."""

import sys
import time

__all__ = ["ProgressBar"]


class ProgressBar:
    """Callable as progress(done, total); redraws at most ten times a second."""

    def __init__(self, label, stream=None, width=30):
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.started = self.drawn = time.monotonic()

    def __call__(self, done, total):
        now = time.monotonic()
        if now - self.drawn < 0.1 and done < total:
            return
        self.drawn = now
        fraction = done / total if total else 1.0
        filled = int(fraction * self.width)
        rate = done / max(now - self.started, 1e-9)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {fraction:6.1%}"
            f" {done:,}/{total:,} packets in, {rate:,.0f}/s"
        )
        self.stream.flush()

    def close(self):
        self.stream.write("\r" + " " * (self.width + 80) + "\r")
        self.stream.flush()
