"""Built-in scheduling policies, written like a user's (eiffel.pifo.Policy).

``build(name, rate)`` makes the root node of a named policy as the
simulator's command line uses it; ``POLICIES`` lists the names.
"""

from eiffel.pifo.node import Node
from eiffel.policies.deadline import EDF, LSTF
from eiffel.policies.fair import DRR, STFQ, WFQ, hpfq
from eiffel.policies.hclock import HClock
from eiffel.policies.priority import FIFO, DSCPPriority, StrictPriority
from eiffel.policies.shaping import Pacing, TokenBucket, paced, token_bucket
from eiffel.policies.size import LAS, LQF, SRPT, PFabric

__all__ = [
    "DRR", "DSCPPriority", "EDF", "FIFO", "HClock", "LAS", "LQF", "LSTF", "PFabric",
    "Pacing", "POLICIES", "SRPT", "STFQ", "StrictPriority", "TokenBucket", "WFQ",
    "build", "hpfq", "paced", "token_bucket",
]  # fmt: skip

# name -> (description, builder(rate) -> root Node)
POLICIES = {
    "fifo": ("first in, first out", lambda rate: Node(FIFO())),
    "strict": ("strict priority by the cls column (0 first)", lambda rate: Node(StrictPriority())),
    "dscp": ("strict priority by DSCP, cake diffserv4 groups", lambda rate: Node(DSCPPriority())),
    "drr": ("deficit round robin over flows, 1500-byte quantum", lambda rate: Node(DRR())),
    "wfq": ("start-time fair queueing over flows (equal weights)", lambda rate: Node(STFQ())),
    "stfq": ("start-time fair queueing over flows (equal weights)", lambda rate: Node(STFQ())),
    "pfabric": ("pFabric: flows by least remaining size, re-ranked on dequeue", lambda rate: Node(PFabric())),
    "srpt": ("shortest remaining processing time per flow", lambda rate: Node(SRPT())),
    "lqf": ("longest queue first", lambda rate: Node(LQF())),
    "las": ("least attained service", lambda rate: Node(LAS())),
    "edf": ("earliest deadline first", lambda rate: Node(EDF())),
    "lstf": ("least slack time first at this link", lambda rate: Node(LSTF(rate))),
    "hpfq": ("two-level fair queueing: classes (cls) 1:1, flows within", lambda rate: hpfq([1, 1])),
    "pacing": ("FIFO paced at 90% of the link rate", lambda rate: paced(0.9 * rate)),
    "tbf": ("FIFO behind a token bucket at 90% of the link, 64 KB burst",
            lambda rate: token_bucket(0.9 * rate, 64 * 1024)),
    "hclock": ("hClock: flow 0 reserves 20% of the link, flow 1 is limited to 10%, equal shares",
               lambda rate: HClock({0: 0.2 * rate}, {1: 0.1 * rate})),
}  # fmt: skip


def build(name, rate):
    """The root node of the named built-in policy for a link of rate bits/s."""
    try:
        return POLICIES[name][1](rate)
    except KeyError:
        raise ValueError(f"unknown policy {name!r}; choose one of {', '.join(POLICIES)}") from None
