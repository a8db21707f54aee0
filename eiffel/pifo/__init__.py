"""Eiffel's programming model: PIFO scheduling trees with per-flow ranking,
on-dequeue ranking and one shared shaper (Saeed et al., NSDI'19, section 3.2).

    >>> from eiffel.pifo import Node, Scheduler
    >>> from eiffel.policies import FIFO, STFQ
    >>> tree = Node(STFQ({0: 1, 1: 3}), [Node(FIFO()), Node(FIFO(), limit=7e6)],
    ...             classify="cls", limit=10e6)
    >>> scheduler = Scheduler(tree, queue="exact")   # or "approx", or "heap"
"""

from eiffel.pifo.heap import HeapPIFO
from eiffel.pifo.limits import Pacing, TokenBucket
from eiffel.pifo.node import Node
from eiffel.pifo.policy import Flow, Policy, flow_policy, packet_policy
from eiffel.pifo.queue_kinds import QUEUE_KINDS, make_queue
from eiffel.pifo.scheduler import NEVER, Scheduler

__all__ = [
    "Flow",
    "HeapPIFO",
    "NEVER",
    "Node",
    "Pacing",
    "Policy",
    "QUEUE_KINDS",
    "Scheduler",
    "TokenBucket",
    "flow_policy",
    "make_queue",
    "packet_policy",
]
