"""Simulation speed: packets per CPU second, built-in policies and user-written ones.

    .venv/bin/python -m pytest benchmarks/test_sim_speed.py --benchmark-columns=min,mean \\
        --benchmark-sort=name

Every case runs the same trace: web-search flows at 70% load on a 10 Gbit/s
link, senders at line rate (about 330,000 packets).  The timer is process
CPU time, so a busy machine does not lower the numbers; each case records
its packets per second in extra_info.  The user-written policies are plain
callables (no vectorised ranks, no batching): their ratio to the built-in
counterpart is the cost of writing a policy in a few lines of Python.
"""

import time

import pytest

from eiffel.pifo import Node, Scheduler, flow_policy, packet_policy
from eiffel.policies import build
from eiffel.sim import Trace, poisson_flows, simulate

RATE = 10e9
TRACE = Trace(poisson_flows("websearch", 0.7, RATE, 300, sender_rate=RATE, seed=1))

SINGLE_LEVEL = ["fifo", "strict", "dscp", "drr", "wfq", "pfabric", "srpt", "lqf", "las", "edf", "lstf"]


def user_edf():
    """EDF as a user would write it: one rank function, 1 us resolution."""
    deadline = TRACE.column("deadline")
    return Node(packet_policy(lambda pkt, now: max(deadline[pkt], 0) // 1000, bound=1))


def user_srpt():
    """SRPT as a user would write it: two small functions over the trace's columns."""
    remaining = [r // 512 for r in TRACE.column("remaining")]
    bound = max(remaining) + 1

    def on_enqueue(flow, pkt, now):
        return remaining[flow.packets[0]]

    def on_dequeue(flow, pkt, now):
        return remaining[flow.packets[0]]

    return Node(flow_policy(on_enqueue, on_dequeue, bound=bound))


USER = {"user-edf": user_edf, "user-srpt": user_srpt}


def run_once(make_root):
    result = simulate(TRACE, Scheduler(make_root()), RATE)
    assert len(result.order) == len(TRACE)
    return result


def record(benchmark):
    packets = len(TRACE)
    benchmark.extra_info["packets"] = packets
    benchmark.extra_info["packets_per_cpu_second"] = round(packets / benchmark.stats.stats.min)


@pytest.mark.benchmark(group="sim", timer=time.process_time)
@pytest.mark.parametrize("policy", SINGLE_LEVEL)
def test_builtin_policy_speed(benchmark, policy):
    benchmark.pedantic(run_once, args=(lambda: build(policy, RATE),), rounds=3, iterations=1)
    record(benchmark)


@pytest.mark.benchmark(group="sim", timer=time.process_time)
@pytest.mark.parametrize("policy", sorted(USER))
def test_user_policy_speed(benchmark, policy):
    benchmark.pedantic(run_once, args=(USER[policy],), rounds=3, iterations=1)
    record(benchmark)


# Whole flows handed over at once: arrivals come in bursts, which the
# built-in static-rank policies take with one push_many.  A user's rank
# function goes packet by packet.
BURST = Trace(poisson_flows("websearch", 0.7, RATE, 300, sender_rate=None, seed=1))


def user_edf_burst():
    deadline = BURST.column("deadline")
    return Node(packet_policy(lambda pkt, now: max(deadline[pkt], 0) // 1000, bound=1))


@pytest.mark.benchmark(group="sim-burst", timer=time.process_time)
@pytest.mark.parametrize("policy", ["edf", "user-edf"])
def test_burst_arrivals_speed(benchmark, policy):
    make_root = user_edf_burst if policy == "user-edf" else (lambda: build(policy, RATE))

    def run():
        result = simulate(BURST, Scheduler(make_root()), RATE)
        assert len(result.order) == len(BURST)

    benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["packets_per_cpu_second"] = round(len(BURST) / benchmark.stats.stats.min)
