"""What benchmarks/ measures inside the queues, and users need not see.

Not a public API: these follow the C glue (eiffel/_native/pyqueue.c) and
change with it.  Everything else reaches the binding through the queue
classes only.
"""

from eiffel.queues._core import ffi, lib

__all__ = ["element_bytes", "cffs_bytes", "glue_capacity", "raw_calls"]


def element_bytes():
    """Bytes per queued element, by who holds them: the core's node (two
    links and the rank), the glue's element (the node, a slot and a
    generation) and the glue's free-slot stack entry."""
    return {
        "core_node": ffi.sizeof("struct eiffel_node"),
        "glue_element": ffi.sizeof("struct eiffel_py_elem"),
        "free_slot": ffi.sizeof("uint32_t"),
    }


def cffs_bytes(buckets):
    """Bytes of a circular queue's bucket arrays and bitmaps (2 x buckets buckets)."""
    return lib.eiffel_cffs_size(buckets)


def glue_capacity(queue):
    """Element slots the glue has allocated for queue (it grows in chunks)."""
    return queue._pq.capacity


def raw_calls(queue):
    """(push, pop, pq): the glue's C calls behind queue.push/pop, with the
    queue's C handle; push(pq, rank) returns a handle, pop(pq, 0) one too.
    For measuring what the Python class adds to them."""
    return lib.eiffel_pyq_push, lib.eiffel_pyq_pop, queue._pq
