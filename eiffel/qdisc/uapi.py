"""The qdisc's uapi header, csrc/uapi/pkt_sched_eiffel.h, as Python names.

The kernel module and this package share the header's numbers, and they
are written there only.  eiffel.qdisc._uapi is compiled from the header
(its cdef is generated from the header's own text, see
eiffel/_native/build.py), so the values here are what the C compiler sees:

* every enumerator and #define under its C name: ``uapi.TCA_EIFFEL_LIMIT``,
  ``uapi.TC_EIFFEL_DEF_LIMIT``, ``uapi.TC_EIFFEL_QUANTUM_MAX``, ...;
  a table (a brace initialiser such as TC_EIFFEL_DSCP_MAP_DIFFSERV4) as a
  tuple;
* ATTRIBUTES: every TCA_EIFFEL_* attribute, name -> number;
* XSTATS: the fields of struct tc_eiffel_xstats, in order.
"""

from dataclasses import dataclass

from eiffel.qdisc._uapi import ffi as _ffi
from eiffel.qdisc._uapi import lib as _lib


def _constants():
    out = {}
    for name in dir(_lib):
        value = getattr(_lib, name)
        if isinstance(value, _ffi.CData):  # a table: the const array named after its macro
            out[name.upper()] = tuple(value)
        elif not name.startswith("__"):
            out[name] = value
    return out


_CONSTANTS = _constants()


def __getattr__(name):
    try:
        return _CONSTANTS[name]
    except KeyError:
        raise AttributeError(f"{name} is not a name of the uapi header") from None


def __dir__():
    return sorted([*globals(), *_CONSTANTS])


ATTRIBUTES = {
    name: number for name, number in _CONSTANTS.items()
    if name.startswith("TCA_EIFFEL_") and name != "TCA_EIFFEL_MAX"
}  # fmt: skip


@dataclass(frozen=True)
class Field:
    """One field of struct tc_eiffel_xstats."""

    name: str
    offset: int  # bytes from the start of the struct
    size: int  # bytes of one element
    signed: bool
    length: int | None  # elements of an array field; None for a scalar


def _fields(struct):
    fields = []
    for name, field in _ffi.typeof(struct).fields:
        ctype, length = field.type, None
        if ctype.kind == "array":
            ctype, length = ctype.item, ctype.length
        signed = _ffi.cast(ctype, -1) < 0
        fields.append(Field(name, field.offset, _ffi.sizeof(ctype), signed, length))
    return tuple(fields)


XSTATS = _fields("struct tc_eiffel_xstats")
XSTATS_SIZE = _ffi.sizeof("struct tc_eiffel_xstats")
