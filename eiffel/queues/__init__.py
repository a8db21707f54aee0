"""The queues: FFSQueue, CFFSQueue and ApproxQueue over the C core, and
their plain heapq models (eiffel.queues.reference)."""

from eiffel.queues.bucketed import ApproxQueue, CFFSQueue, FFSQueue

__all__ = ["FFSQueue", "CFFSQueue", "ApproxQueue"]
