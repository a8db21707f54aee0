"""Configure the sch_eiffel qdisc over netlink, with pyroute2.

The kernel module (``kmod/``) is driven like any qdisc::

    from eiffel.qdisc import netlink
    netlink.add("eth0", maxrate="100mbit", granularity="64us")
    netlink.dump("eth0")    # {'limit': 10000, 'maxrate': 12500000, ...}
    netlink.stats("eth0")   # {'packets': ..., 'drops': ..., 'flows': ..., ...}
    netlink.delete("eth0")

add(), change() and replace() take the options as keywords, in the units of
eiffel.qdisc.options, or as one Options object (what `eiffel qdisc` passes):
either way they are checked and converted once, then sent as they are.
dump() returns every option in the same units, so ``add(dev, **dump(dev))``
reproduces a configuration.  validate=False leaves the ranges to the kernel.
Kernel errors raise QdiscError (an OSError) whose message is the kernel's
extended ack message.

Needs pyroute2 (``pip install 'eiffel[netlink]'``).  Each request first
registers eiffel's tc plugin with pyroute2 (eiffel.qdisc.plugin), which also
teaches ``IPRoute.tc("dump")`` to decode eiffel's options and stats.
"""

from __future__ import annotations

import errno
from typing import Any

from eiffel._extras import require

require("netlink", "configuring sch_eiffel over netlink")

from pyroute2 import IPRoute  # noqa: E402
from pyroute2.netlink.exceptions import NetlinkError  # noqa: E402
from pyroute2.netlink.rtnl import TC_H_ROOT  # noqa: E402

from eiffel.qdisc import plugin  # noqa: E402
from eiffel.qdisc.options import OPTIONS, Options, decode  # noqa: E402
from eiffel.qdisc.plugin import KIND, sched_eiffel  # noqa: E402

__all__ = [
    "KIND", "OPTIONS", "Options", "QdiscError", "sched_eiffel",
    "add", "change", "delete", "dump", "replace", "stats",
]  # fmt: skip


class QdiscError(OSError):
    """The kernel refused a request; ``strerror`` is its extack message."""


def _ipr(netns):
    plugin.register()
    return IPRoute(netns=netns, ext_ack=True) if netns else IPRoute(ext_ack=True)


def _ifindex(ipr, dev) -> int:
    if isinstance(dev, int):
        return dev
    found = ipr.link_lookup(ifname=dev)
    if not found:
        raise QdiscError(errno.ENODEV, f"no network device {dev!r}")
    return found[0]


def _placement(parent, handle) -> dict:
    # Never pyroute2's root=True: it also forces handle 1:, which then fails
    # to name a root qdisc that tc created with an automatic handle.
    where = {"parent": TC_H_ROOT if parent is None else parent}
    if handle is not None:
        where["handle"] = handle
    return where


def _request(command, dev, *, netns=None, parent=None, handle=None, attrs=None):
    with _ipr(netns) as ipr:
        index = _ifindex(ipr, dev)
        kwarg = _placement(parent, handle)
        if attrs is not None:
            kwarg["eiffel_attrs"] = attrs
        try:
            return ipr.tc(command, KIND if command != "del" else None, index, **kwarg)
        except NetlinkError as e:
            raise QdiscError(e.code, e.args[1] if len(e.args) > 1 else str(e)) from None


def _options(options, values, validate) -> Options:
    if options is None:
        return Options(values, validate=validate)
    if values:
        raise TypeError("give the options as one Options object or as keywords, not both")
    return options if isinstance(options, Options) else Options(options, validate=validate)


def add(dev, options=None, /, *, netns=None, parent=None, handle=None, validate=True, **values):
    """Attach an eiffel qdisc to dev (root, or under parent like "1:2")."""
    _request("add", dev, netns=netns, parent=parent, handle=handle,
             attrs=_options(options, values, validate).attrs)


def change(dev, options=None, /, *, netns=None, parent=None, handle=None, validate=True, **values):
    """Change the given options of dev's eiffel qdisc; the others stay."""
    _request("change", dev, netns=netns, parent=parent, handle=handle,
             attrs=_options(options, values, validate).attrs)


def replace(dev, options=None, /, *, netns=None, parent=None, handle=None, validate=True, **values):
    """Attach an eiffel qdisc to dev, replacing whatever is there."""
    _request("replace", dev, netns=netns, parent=parent, handle=handle,
             attrs=_options(options, values, validate).attrs)


def delete(dev, *, netns=None, parent=None, handle=None):
    """Remove the qdisc at root (or at parent) of dev."""
    _request("del", dev, netns=netns, parent=parent, handle=handle)


def _handle(value) -> int:
    if isinstance(value, int):
        return value
    major, _, minor = value.partition(":")
    return (int(major or "0", 16) << 16) | int(minor or "0", 16)


def _find(dev, netns, parent, handle):
    """The dump message of dev's eiffel qdisc (root, or the one at parent)."""
    with _ipr(netns) as ipr:
        index = _ifindex(ipr, dev)
        want_parent = TC_H_ROOT if parent is None else _handle(parent)
        for msg in ipr.get_qdiscs(index=index):
            if msg.get_attr("TCA_KIND") != KIND:
                continue
            if handle is not None and msg["handle"] != _handle(handle):
                continue
            if handle is None and msg["parent"] != want_parent:
                continue
            return msg
    where = f"at {parent}" if parent is not None else "at root"
    raise QdiscError(errno.ENOENT, f"no eiffel qdisc on {dev} {where}")


def dump(dev, *, netns=None, parent=None, handle=None) -> dict[str, Any]:
    """Every option of dev's eiffel qdisc, in the units add() takes."""
    msg = _find(dev, netns, parent, handle)
    return decode(msg.get_attr("TCA_OPTIONS")["attrs"])


def stats(dev, *, netns=None, parent=None, handle=None) -> dict[str, Any]:
    """The qdisc's counters: the standard ones (bytes, packets, drops,
    overlimits, requeues, qlen, backlog) and every tc_eiffel_xstats field."""
    msg = _find(dev, netns, parent, handle)
    st2 = msg.get_attr("TCA_STATS2")
    basic = st2.get_attr("TCA_STATS_BASIC")
    queue = st2.get_attr("TCA_STATS_QUEUE")
    out: dict[str, Any] = {"bytes": basic["bytes"], "packets": basic["packets"]}
    for key in ("qlen", "backlog", "drops", "requeues", "overlimits"):
        out[key] = queue[key]
    app = st2.get_attr("TCA_STATS_APP")
    if app is None:
        raise QdiscError(errno.EPROTO, "the eiffel qdisc sent no xstats")
    out.update(plugin.xstats_dict(app))
    return out
