"""The pyroute2 tc plugin of kind "eiffel": how pyroute2 encodes the
qdisc's TCA_OPTIONS and decodes its options and extended statistics.

The attribute map comes from the option table (eiffel.qdisc.options) and
the xstats fields from the uapi header's struct as the compiler laid it
out (eiffel.qdisc.uapi), so neither is written here.  register() puts the
plugin into pyroute2's table of tc kinds; eiffel.qdisc.netlink calls it
before each request, so that importing eiffel changes nothing in pyroute2.
"""

import sys
import types

from eiffel._extras import require

require("netlink", "configuring sch_eiffel over netlink")

from pyroute2.netlink import nla  # noqa: E402
from pyroute2.netlink.rtnl import TC_H_ROOT  # noqa: E402
from pyroute2.netlink.rtnl.tcmsg import common as tc_common  # noqa: E402
from pyroute2.netlink.rtnl.tcmsg import plugins as tc_plugins  # noqa: E402

from eiffel.qdisc import KIND, uapi  # noqa: E402
from eiffel.qdisc.options import OPTIONS  # noqa: E402

__all__ = ["KIND", "XSTATS_FIELDS", "register", "sched_eiffel", "xstats_dict"]


def _nla_map():
    entries = [(uapi.TCA_EIFFEL_UNSPEC, "TCA_EIFFEL_UNSPEC", "none"),
               (uapi.TCA_EIFFEL_PAD, "TCA_EIFFEL_PAD", "hex")]  # fmt: skip
    entries += [(opt.number, opt.attr, opt.kind.nla) for opt in OPTIONS.values()]
    return tuple(sorted(entries))


# struct format letter by (bytes, signed)
_FORMAT = {(1, False): "B", (2, False): "H", (4, False): "I", (8, False): "Q",
           (1, True): "b", (2, True): "h", (4, True): "i", (8, True): "q"}  # fmt: skip


def _xstats_fields():
    """pyroute2 struct fields of struct tc_eiffel_xstats: an array field
    n[k] becomes n_0 .. n_{k-1} (xstats_dict() makes it a list again)."""
    fields, offset = [], 0
    for field in uapi.XSTATS:
        if field.offset != offset:
            raise ImportError(f"tc_eiffel_xstats.{field.name}: unexpected padding before it")
        names = [field.name] if field.length is None else [
            f"{field.name}_{i}" for i in range(field.length)]
        fields += [(name, _FORMAT[field.size, field.signed]) for name in names]
        offset += field.size * (field.length or 1)
    if offset != uapi.XSTATS_SIZE:
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


def xstats_dict(app):
    """Every tc_eiffel_xstats field of a decoded TCA_STATS_APP, arrays as lists."""
    out = {}
    for field in uapi.XSTATS:
        if field.length is None:
            out[field.name] = app[field.name]
        else:
            out[field.name] = [app[f"{field.name}_{i}"] for i in range(field.length)]
    return out


def _get_parameters(kwarg):
    # eiffel.qdisc.netlink hands over attributes that Options encoded already.
    return {"attrs": kwarg.get("eiffel_attrs", [])}


def _plugin():
    mod = types.ModuleType("eiffel.qdisc.sched_eiffel", "pyroute2 tc plugin for sch_eiffel")
    mod.parent = TC_H_ROOT
    mod.get_parameters = _get_parameters
    mod.options = _options_nla
    mod.stats = _xstats_nla
    mod.stats2 = _stats2_nla
    return mod


sched_eiffel = _plugin()


def register():
    """Make pyroute2 know kind "eiffel".  An entry already in its table
    (a test's stand-in, say) is left alone."""
    tc_plugins.setdefault(KIND, sched_eiffel)
    sys.modules.setdefault(sched_eiffel.__name__, sched_eiffel)
