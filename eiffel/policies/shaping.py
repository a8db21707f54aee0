"""Token bucket and pacing: rate limits on a node, enforced by the shared shaper.

In Eiffel, shaping is decoupled from scheduling (NSDI'19, section 3.2.2):
a limit is not a policy of its own but a timestamp per packet, and one
shaper serves the whole tree.  These helpers build the common single-node
cases; put ``limit=`` on any Node for the general one.
"""

from eiffel.pifo.limits import Pacing, TokenBucket
from eiffel.pifo.node import Node
from eiffel.policies.priority import FIFO

__all__ = ["Pacing", "TokenBucket", "paced", "token_bucket"]


def paced(rate, policy=None, **node_options):
    """A node (FIFO unless policy is given) whose output is paced at rate bits/s."""
    return Node(policy or FIFO(), limit=Pacing(rate), **node_options)


def token_bucket(rate, burst, policy=None, **node_options):
    """A node (FIFO unless policy is given) shaped by a token bucket of rate bits/s and burst bytes."""
    return Node(policy or FIFO(), limit=TokenBucket(rate, burst), **node_options)
