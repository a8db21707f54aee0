"""cffi build scripts of eiffel's extension modules (setup.py's cffi_modules).

  eiffel.queues._core   the shared C core (csrc/) and the glue pyqueue.c that
                        eiffel/queues/ calls; its cdef is cdef/queues.h
  eiffel.qdisc._uapi    the qdisc's uapi header (csrc/uapi/pkt_sched_eiffel.h):
                        attribute numbers, limits, defaults, tables and the
                        xstats layout; its cdef is generated from the header
                        itself (uapi_cdef), so every number exists only there

Both compile with warnings as errors (EIFFEL_WERROR=0 turns that off, for a
compiler newer than the ones tested) and against Python's limited API, so one
abi3 wheel serves every CPython from the oldest supported.  A further
extension's inputs go in this directory too (setup.py says how).
"""

import os
import re
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CSRC = ROOT / "csrc"
UAPI = CSRC / "uapi" / "pkt_sched_eiffel.h"

COMPILE_ARGS = ["-std=gnu11", "-O2", "-Wall", "-Wextra"]
if os.environ.get("EIFFEL_WERROR", "1") != "0":
    COMPILE_ARGS.append("-Werror")


def _relative(path):
    # setuptools wants source paths relative to the project root.
    return str(path.relative_to(ROOT))


# --------------------------------------------------------------------------
# The uapi header as a cdef


_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(\S.*?)[ \t]*$", re.M)
_ENUM = re.compile(r"\benum\s*\w*\s*\{(.*?)\}\s*;", re.S)
_STRUCT = re.compile(r"\bstruct\s+(\w+)\s*\{(.*?)\}\s*;", re.S)
_KERNEL_INT = re.compile(r"\b__[us](?:8|16|32|64)\b")
_ARRAY_LENGTH = re.compile(r"\[[^\]]+\]")


def table_name(macro):
    """The C array that holds a brace-initialiser macro's table."""
    return macro.lower()


def uapi_cdef(text):
    """(cdef, tables) for a uapi header's text.

    Every enumerator and every object-like #define becomes `#define NAME
    ...`, and every struct is copied with its array lengths as `[...]`, so
    cffi takes all values and the layout from the C compiler.  A #define
    whose value is a brace initialiser is a table: it becomes a const array
    named table_name(macro), whose C definition the caller adds to the
    source; `tables` lists those macros.
    """
    text = _COMMENT.sub(" ", text).replace("\\\n", " ")
    names, tables = [], []
    for body in _ENUM.findall(text):
        for item in body.split(","):
            name = item.split("=")[0].strip()
            if name:
                names.append(name)
    for name, value in _DEFINE.findall(text):
        (tables if value.startswith("{") else names).append(name)
    lines = [f"typedef int... {t};" for t in sorted(set(_KERNEL_INT.findall(text)))]
    lines += [f"#define {name} ..." for name in names]
    for name, body in _STRUCT.findall(text):
        fields = " ".join(_ARRAY_LENGTH.sub("[...]", body).split())
        lines.append(f"struct {name} {{ {fields} }};")
    lines += [f"static const long long {table_name(macro)}[...];" for macro in tables]
    return "\n".join(lines) + "\n", tables


def _uapi_ffi():
    cdef, tables = uapi_cdef(UAPI.read_text())
    source = f'#include "uapi/{UAPI.name}"\n'
    source += "".join(
        f"static const long long {table_name(macro)}[] = {macro};\n" for macro in tables
    )
    ffi = FFI()
    ffi.cdef(cdef)
    ffi.set_source(
        "eiffel.qdisc._uapi", source, include_dirs=[_relative(CSRC)], extra_compile_args=COMPILE_ARGS
    )
    return ffi


# --------------------------------------------------------------------------
# The queues


def _queues_ffi():
    ffi = FFI()
    ffi.cdef((HERE / "cdef" / "queues.h").read_text())
    ffi.set_source(
        "eiffel.queues._core",
        '#include "pyqueue.h"\n#include "eiffel_selftest.h"\n',
        sources=[_relative(p) for p in sorted(CSRC.glob("*.c"))] + [_relative(HERE / "pyqueue.c")],
        include_dirs=[_relative(CSRC), _relative(HERE)],
        extra_compile_args=COMPILE_ARGS,
    )
    return ffi


queues_ffi = _queues_ffi()
uapi_ffi = _uapi_ffi()

if __name__ == "__main__":
    for builder in (queues_ffi, uapi_ffi):
        builder.compile(verbose=True)
