"""Configure the ``sch_eiffel`` qdisc over netlink, with pyroute2.

The kernel module (``kmod/``) is driven like any qdisc::

    from eiffel.qdisc import netlink
    netlink.add("eth0", maxrate="100mbit", granularity="64us")
    netlink.dump("eth0")    # {'limit': 10000, 'maxrate': 12500000, ...}
    netlink.stats("eth0")   # {'packets': ..., 'drops': ..., 'flows': ..., ...}
    netlink.delete("eth0")

Attribute numbers and the xstats layout come from the uapi header
``csrc/uapi/pkt_sched_eiffel.h`` through cffi (``eiffel._core``), so they
exist only there.  Importing this module registers a pyroute2 tc plugin for
kind ``eiffel`` (``pyroute2.netlink.rtnl.tcmsg.plugins['eiffel']``), which
also teaches ``IPRoute.tc("dump")`` to decode eiffel's options and stats.

Units in Python (each option's kernel unit is in the uapi header):

* packets: ``limit``, ``flow_limit``; bytes: ``quantum``, ``initial_quantum``
* rates, bytes per second (like ``SO_MAX_PACING_RATE``): ``maxrate``,
  ``low_rate_threshold``; an int, or a string with tc's units ("100mbit",
  "12.5MBps"); ``maxrate=None`` means unlimited
* times, nanoseconds: ``refill_delay``, ``ce_threshold``, ``timer_slack``,
  ``horizon``, ``granularity``; an int, or a string with a unit ("40ms",
  "10us", "65536ns"); ``ce_threshold=None`` means never mark
* ``buckets``: flow hash table size, a power of two (like tc's fq)
* booleans: ``pacing`` (sch_fq's rate_enable), ``horizon_drop`` (or
  ``horizon_cap=True``, its opposite)
* bands: ``bands`` (1 to 8, band 0 served first), ``dscp_map`` (64 band
  numbers, DSCP -> band), ``default_band`` (non-IP packets), ``weights``
  (one positive int per band, bytes per round; ``[]`` = strict priority),
  ``band_limit`` (packets per band, ``None`` = no limit of its own)
* ``rate``: the root shaper, bytes per second like ``maxrate``; ``None``
  means no shaper

``dump()`` returns every option in these units, so ``add(dev, **dump(dev))``
reproduces a configuration exactly.  Values are checked here first
(``ValueError``/``TypeError``); pass ``validate=False`` to leave the checking
to the kernel.  Kernel errors raise :class:`QdiscError` (an ``OSError``)
whose message is the kernel's extended ack message.
"""

from __future__ import annotations

import errno
import re
import struct
import sys
import types
from dataclasses import dataclass
from typing import Any, Callable

from pyroute2 import IPRoute
from pyroute2.common import rate_suffixes, time_suffixes
from pyroute2.netlink import nla
from pyroute2.netlink.exceptions import NetlinkError
from pyroute2.netlink.rtnl import TC_H_ROOT
from pyroute2.netlink.rtnl.tcmsg import common as tc_common
from pyroute2.netlink.rtnl.tcmsg import plugins as tc_plugins

from eiffel.qdisc._uapi import ffi, lib

__all__ = [
    "KIND",
    "OPTIONS",
    "QdiscError",
    "add",
    "change",
    "delete",
    "dump",
    "encode_options",
    "decode_options",
    "replace",
    "stats",
    "XSTATS_FIELDS",
]

KIND = "eiffel"

U8_MAX = 0xFF
U32_MAX = 0xFFFF_FFFF
U64_MAX = 0xFFFF_FFFF_FFFF_FFFF
NSEC_PER_USEC = 1000
QUANTUM_MIN, QUANTUM_MAX = 256, 1 << 20
BUCKETS_LOG_MAX = 18
GRANULARITY_MAX_NS = 1_000_000_000
TIMER_SLACK_MAX_NS = 1_000_000_000
BANDS_MAX = lib.TC_EIFFEL_BANDS_MAX
DSCP_COUNT = lib.TC_EIFFEL_DSCP_COUNT
WEIGHT_MAX = 1 << 24


class QdiscError(OSError):
    """The kernel refused a request; ``strerror`` is its extack message."""


# --------------------------------------------------------------------------
# Value conversion between Python units and the kernel's


_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?)\s*([A-Za-z]*)\s*$")
_TIME_NS = {unit: 1_000_000_000 // per_sec for unit, per_sec in time_suffixes.items()}
_TIME_NS.update({"ns": 1, "nsec": 1, "nsecs": 1})


def _split(value: str, what: str) -> tuple[float, str]:
    m = _NUMBER.match(value)
    if not m:
        raise ValueError(f"cannot parse {what} {value!r}")
    return float(m.group(1)), m.group(2)


def _int_value(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def parse_rate(value: Any, name: str = "rate") -> int:
    """Bytes per second from an int (bytes/s) or a tc-style string."""
    if isinstance(value, str):
        number, unit = _split(value, name)
        unit = unit or "bit"
        if unit not in rate_suffixes:
            raise ValueError(f"{name}: unknown rate unit {unit!r} in {value!r}")
        bits = number * rate_suffixes[unit]
        if bits % 8:
            raise ValueError(f"{name}: {value!r} is not a whole number of bytes per second")
        return int(bits // 8)
    return _int_value(name, value)


def parse_time(value: Any, name: str = "time") -> int:
    """Nanoseconds from an int (ns) or a string with a unit ("40ms")."""
    if isinstance(value, str):
        number, unit = _split(value, name)
        if unit not in _TIME_NS:
            raise ValueError(f"{name}: unknown time unit {unit!r} in {value!r}")
        ns = number * _TIME_NS[unit]
        if ns != int(ns):
            raise ValueError(f"{name}: {value!r} is not a whole number of nanoseconds")
        return int(ns)
    return _int_value(name, value)


def _check_range(name: str, value: int, lo: int, hi: int) -> int:
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be {lo} to {hi}, not {value}")
    return value


@dataclass(frozen=True)
class Option:
    """One qdisc option: its attribute, pyroute2 type and unit conversions."""

    name: str  # Python keyword
    attr: str  # TCA_EIFFEL_* name in the uapi header
    nla_type: str  # pyroute2 type of the attribute
    to_kernel: Callable[[Any, bool], int]  # (python value, validate) -> attribute value
    from_kernel: Callable[[int], Any]  # attribute value -> python value

    @property
    def number(self) -> int:
        return getattr(lib, self.attr)


def _count(name, lo=0, hi=U32_MAX):
    def to_kernel(value, validate):
        value = _int_value(name, value)
        return _check_range(name, value, lo, hi) if validate else value

    return to_kernel


def _limit(name):
    """A packet count of at least 1; None (U32_MAX in the kernel) = no limit."""
    count = _count(name, 1)

    def to_kernel(value, validate):
        return U32_MAX if value is None else count(value, validate)

    def from_kernel(value):
        return None if value == U32_MAX else value

    return to_kernel, from_kernel


def _flag(name):
    def to_kernel(value, validate):
        if isinstance(value, bool):
            return int(value)
        value = _int_value(name, value)
        return _check_range(name, value, 0, 1) if validate else value

    return to_kernel


def _rate(name, none_means=None):
    def to_kernel(value, validate):
        if value is None and none_means is not None:
            return none_means
        return _check_range(name, parse_rate(value, name), 0, U64_MAX)

    def from_kernel(value):
        return None if none_means is not None and value == none_means else value

    return to_kernel, from_kernel


def _time(name, unit_ns, lo=0, hi=None, none_means=None):
    """A time in ns in Python, in units of unit_ns in the attribute (u32)."""
    hi = hi if hi is not None else U32_MAX * unit_ns

    def to_kernel(value, validate):
        if value is None and none_means is not None:
            return none_means
        ns = parse_time(value, name)
        if ns % unit_ns:
            raise ValueError(f"{name} must be a multiple of {unit_ns} ns, not {ns}")
        if validate:
            _check_range(name, ns, lo, hi)
        return ns // unit_ns

    def from_kernel(value):
        return None if none_means is not None and value == none_means else value * unit_ns

    return to_kernel, from_kernel


def _buckets(value, validate):
    value = _int_value("buckets", value)
    if value < 1 or value & (value - 1):
        raise ValueError(f"buckets must be a power of two, not {value}")
    log = value.bit_length() - 1
    return _check_range("buckets (log2)", log, 1, BUCKETS_LOG_MAX) if validate else log


def _dscp_map(value, validate):
    value = list(value)
    if len(value) != DSCP_COUNT:
        raise ValueError(f"dscp_map must have {DSCP_COUNT} entries, not {len(value)}")
    for dscp, band in enumerate(value):
        band = _int_value(f"dscp_map[{dscp}]", band)
        if validate:
            _check_range(f"dscp_map[{dscp}] (band of DSCP {dscp})", band, 0, BANDS_MAX - 1)
        elif not 0 <= band <= U8_MAX:
            raise ValueError(f"dscp_map[{dscp}] must be 0 to {U8_MAX}, not {band}")
    return bytes(value)


def _weights(value, validate):
    value = [] if value is None else list(value)
    if validate and len(value) > BANDS_MAX:
        raise ValueError(f"weights must have at most {BANDS_MAX} entries, not {len(value)}")
    out = []
    for band, weight in enumerate(value):
        weight = _int_value(f"weights[{band}]", weight)
        if validate:
            _check_range(f"weights[{band}] (bytes per round of band {band})", weight, 1, WEIGHT_MAX)
        out.append(_check_range(f"weights[{band}]", weight, 0, U32_MAX))
    return struct.pack(f"<{len(out)}I", *out)


def _unpack_weights(raw):
    return list(struct.unpack(f"<{len(raw) // 4}I", raw))


def _same(value):
    return value


def _bool(value):
    return bool(value)


def _options() -> dict[str, Option]:
    maxrate = _rate("maxrate", none_means=U64_MAX)
    low_rate = _rate("low_rate_threshold")
    refill = _time("refill_delay", NSEC_PER_USEC)
    ce = _time("ce_threshold", NSEC_PER_USEC, none_means=U32_MAX)
    slack = _time("timer_slack", 1, hi=TIMER_SLACK_MAX_NS)
    horizon = _time("horizon", NSEC_PER_USEC)
    gran = _time("granularity", 1, lo=1, hi=GRANULARITY_MAX_NS)
    root_rate = _rate("rate", none_means=U64_MAX)
    band_limit = _limit("band_limit")
    table = [
        Option("limit", "TCA_EIFFEL_LIMIT", "uint32", _count("limit", 1), _same),
        Option("flow_limit", "TCA_EIFFEL_FLOW_LIMIT", "uint32", _count("flow_limit", 1), _same),
        Option("quantum", "TCA_EIFFEL_QUANTUM", "uint32",
               _count("quantum", QUANTUM_MIN, QUANTUM_MAX), _same),
        Option("initial_quantum", "TCA_EIFFEL_INITIAL_QUANTUM", "uint32",
               _count("initial_quantum", 0, QUANTUM_MAX), _same),
        Option("pacing", "TCA_EIFFEL_RATE_ENABLE", "uint8", _flag("pacing"), _bool),
        Option("maxrate", "TCA_EIFFEL_MAXRATE", "uint64", *maxrate),
        Option("buckets", "TCA_EIFFEL_BUCKETS_LOG", "uint32", _buckets, lambda log: 1 << log),
        Option("refill_delay", "TCA_EIFFEL_REFILL_DELAY", "uint32", *refill),
        Option("orphan_mask", "TCA_EIFFEL_ORPHAN_MASK", "uint32", _count("orphan_mask"), _same),
        Option("low_rate_threshold", "TCA_EIFFEL_LOW_RATE_THRESHOLD", "uint64", *low_rate),
        Option("ce_threshold", "TCA_EIFFEL_CE_THRESHOLD", "uint32", *ce),
        Option("timer_slack", "TCA_EIFFEL_TIMER_SLACK", "uint32", *slack),
        Option("horizon", "TCA_EIFFEL_HORIZON", "uint32", *horizon),
        Option("horizon_drop", "TCA_EIFFEL_HORIZON_DROP", "uint8", _flag("horizon_drop"), _bool),
        Option("granularity", "TCA_EIFFEL_GRANULARITY", "uint32", *gran),
        Option("bands", "TCA_EIFFEL_BANDS", "uint32", _count("bands", 1, BANDS_MAX), _same),
        Option("dscp_map", "TCA_EIFFEL_DSCP_MAP", "cdata", _dscp_map, list),
        Option("default_band", "TCA_EIFFEL_DEFAULT_BAND", "uint32",
               _count("default_band", 0, BANDS_MAX - 1), _same),
        Option("weights", "TCA_EIFFEL_WEIGHTS", "cdata", _weights, _unpack_weights),
        Option("rate", "TCA_EIFFEL_RATE", "uint64", *root_rate),
        Option("band_limit", "TCA_EIFFEL_BAND_LIMIT", "uint32", *band_limit),
    ]
    return {opt.name: opt for opt in table}


OPTIONS: dict[str, Option] = _options()
_BY_ATTR = {opt.attr: opt for opt in OPTIONS.values()}


def encode_options(options: dict[str, Any], validate: bool = True) -> list[list]:
    """Python options -> pyroute2 ``attrs`` list of [TCA_EIFFEL_*, value]."""
    options = dict(options)
    if "horizon_cap" in options:
        cap = options.pop("horizon_cap")
        if "horizon_drop" in options and bool(options["horizon_drop"]) == bool(cap):
            raise ValueError("horizon_cap and horizon_drop contradict each other")
        options["horizon_drop"] = not cap
    attrs = []
    for name, value in options.items():
        opt = OPTIONS.get(name)
        if opt is None:
            raise TypeError(f"unknown eiffel option {name!r} (known: {', '.join(OPTIONS)})")
        attrs.append([opt.attr, opt.to_kernel(value, validate)])
    return attrs


def decode_options(attrs) -> dict[str, Any]:
    """pyroute2 attrs (name, value) pairs -> Python options."""
    out = {}
    for name, value in attrs:
        opt = _BY_ATTR.get(name)
        if opt is not None:
            out[opt.name] = opt.from_kernel(value)
    return out


# --------------------------------------------------------------------------
# The pyroute2 tc plugin for kind "eiffel"


def _nla_map():
    entries = [(lib.TCA_EIFFEL_UNSPEC, "TCA_EIFFEL_UNSPEC", "none"),
               (lib.TCA_EIFFEL_PAD, "TCA_EIFFEL_PAD", "hex")]
    entries += [(opt.number, opt.attr, opt.nla_type) for opt in OPTIONS.values()]
    return tuple(sorted(entries))


_FORMAT = {("uint", 1): "B", ("uint", 4): "I", ("uint", 8): "Q", ("int", 4): "i", ("int", 8): "q"}


def _xstats_fields():
    """pyroute2 struct fields of struct tc_eiffel_xstats, from cffi's layout."""
    fields, offset = [], 0
    for name, field in ffi.typeof("struct tc_eiffel_xstats").fields:
        if field.offset != offset:
            raise ImportError(f"tc_eiffel_xstats.{name}: unexpected padding before it")
        ctype, count = field.type, None
        if ctype.kind == "array":
            ctype, count = ctype.item, ctype.length
        kind = "int" if ctype.cname.startswith("int") else "uint"
        size = ffi.sizeof(ctype)
        # An array field becomes name_0 .. name_{n-1}; stats() makes it a list.
        names = [name] if count is None else [f"{name}_{i}" for i in range(count)]
        fields += [(n, _FORMAT[(kind, size)]) for n in names]
        offset += ffi.sizeof(field.type)
    if offset != ffi.sizeof("struct tc_eiffel_xstats"):
        raise ImportError("tc_eiffel_xstats: unexpected tail padding")
    return tuple(fields)


XSTATS_FIELDS = _xstats_fields()


class _options_nla(nla):
    nla_map = _nla_map()


class _xstats_nla(nla):
    fields = XSTATS_FIELDS


class _stats2_nla(tc_common.stats2):
    class stats_app(_xstats_nla):
        pass


def _get_parameters(kwarg):
    # The attrs were encoded (and checked) by encode_options already.
    return {"attrs": kwarg.get("eiffel_attrs", [])}


def _plugin() -> types.ModuleType:
    mod = types.ModuleType("eiffel.netlink.sched_eiffel", "pyroute2 tc plugin for sch_eiffel")
    mod.parent = TC_H_ROOT
    mod.get_parameters = _get_parameters
    mod.options = _options_nla
    mod.stats = _xstats_nla
    mod.stats2 = _stats2_nla
    return mod


sched_eiffel = _plugin()
tc_plugins[KIND] = sched_eiffel
sys.modules.setdefault(sched_eiffel.__name__, sched_eiffel)


# --------------------------------------------------------------------------
# Requests


def _ipr(netns):
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


def add(dev, *, netns=None, parent=None, handle=None, validate=True, **options):
    """Attach an eiffel qdisc to dev (root, or under parent like "1:2")."""
    _request("add", dev, netns=netns, parent=parent, handle=handle,
             attrs=encode_options(options, validate))


def change(dev, *, netns=None, parent=None, handle=None, validate=True, **options):
    """Change the given options of dev's eiffel qdisc; the others stay."""
    _request("change", dev, netns=netns, parent=parent, handle=handle,
             attrs=encode_options(options, validate))


def replace(dev, *, netns=None, parent=None, handle=None, validate=True, **options):
    """Attach an eiffel qdisc to dev, replacing whatever is there."""
    _request("replace", dev, netns=netns, parent=parent, handle=handle,
             attrs=encode_options(options, validate))


def delete(dev, *, netns=None, parent=None, handle=None):
    """Remove the qdisc at root (or at parent) of dev."""
    _request("del", dev, netns=netns, parent=parent, handle=handle)


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


def _handle(value) -> int:
    if isinstance(value, int):
        return value
    major, _, minor = value.partition(":")
    return (int(major or "0", 16) << 16) | int(minor or "0", 16)


def dump(dev, *, netns=None, parent=None, handle=None) -> dict[str, Any]:
    """Every option of dev's eiffel qdisc, in the units add() takes."""
    msg = _find(dev, netns, parent, handle)
    return decode_options(msg.get_attr("TCA_OPTIONS")["attrs"])


def stats(dev, *, netns=None, parent=None, handle=None) -> dict[str, int]:
    """The qdisc's counters: the standard ones (bytes, packets, drops,
    overlimits, requeues, qlen, backlog) and every tc_eiffel_xstats field."""
    msg = _find(dev, netns, parent, handle)
    out: dict[str, int] = {}
    st2 = msg.get_attr("TCA_STATS2")
    basic = st2.get_attr("TCA_STATS_BASIC")
    queue = st2.get_attr("TCA_STATS_QUEUE")
    out.update(bytes=basic["bytes"], packets=basic["packets"])
    for key in ("qlen", "backlog", "drops", "requeues", "overlimits"):
        out[key] = queue[key]
    app = st2.get_attr("TCA_STATS_APP")
    if app is None:
        raise QdiscError(errno.EPROTO, "the eiffel qdisc sent no xstats")
    for name, field in ffi.typeof("struct tc_eiffel_xstats").fields:
        if field.type.kind == "array":
            out[name] = [app[f"{name}_{i}"] for i in range(field.type.length)]
        else:
            out[name] = app[name]
    return out
