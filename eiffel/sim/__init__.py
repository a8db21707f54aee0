"""A trace-driven simulator for Eiffel schedulers: one link, a packet trace
(numpy structured array, generated workload or pcap), and summaries.

    >>> from eiffel.sim import Trace, poisson_flows, simulate, summarize
    >>> from eiffel.pifo import Scheduler
    >>> from eiffel.policies import build
    >>> trace = Trace(poisson_flows("websearch", 0.7, 10e9, 200))
    >>> result = simulate(trace, Scheduler(build("pfabric", 10e9)), 10e9)
    >>> print(summarize(result, policy="pfabric").format())  # doctest: +SKIP
"""

from eiffel.sim.simulator import Result, simulate, transmission_times
from eiffel.sim.summary import SIZE_BUCKETS, Summary, flow_table, summarize
from eiffel.sim.trace import NO_DEADLINE, PACKET_DTYPE, Trace, make_packets
from eiffel.sim.workloads import CDFS, FlowSizeCDF, constant_rate, merge, on_off, poisson_flows

__all__ = [
    "CDFS", "FlowSizeCDF", "NO_DEADLINE", "PACKET_DTYPE", "Result", "SIZE_BUCKETS", "Summary",
    "Trace", "constant_rate", "flow_table", "make_packets", "merge", "on_off", "poisson_flows",
    "simulate", "summarize", "transmission_times",
]  # fmt: skip
