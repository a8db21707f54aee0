"""eiffel: Eiffel's bucketed priority queues (Saeed et al., NSDI 2019).

    >>> import eiffel
    >>> q = eiffel.CFFSQueue(1024, granularity=10)
    >>> h = q.push(42, "packet")
    >>> q.pop()
    (42, 'packet')

The queues are C (csrc/, shared with the sch_eiffel qdisc) behind a small
Python layer (eiffel.queues); eiffel.queues.reference holds plain heapq
models of the same semantics, used by the tests.  The qdisc's tools are in
eiffel.qdisc and eiffel.dscp, the scheduling model and simulator in
eiffel.pifo, eiffel.policies and eiffel.sim; the `eiffel` command is
eiffel.cli.
"""

from eiffel.queues import ApproxQueue, CFFSQueue, FFSQueue

__all__ = ["FFSQueue", "CFFSQueue", "ApproxQueue"]
__version__ = "0.1.0"
