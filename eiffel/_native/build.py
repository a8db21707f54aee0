"""cffi build script: compiles csrc/ (the shared core) and the glue into eiffel._core.

setup.py names it in ``cffi_modules``; the cdef text lives in cdef/*.h beside it,
one file per C module, with ``...`` placeholders so constants come from the C
headers and exist once.
"""

from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parents[2]
CSRC = ROOT / "csrc"
UAPI = CSRC / "uapi"
CDEF = Path(__file__).resolve().parent / "cdef"


def _relative(path):
    # setuptools wants source paths relative to the project root.
    return str(path.relative_to(ROOT))


ffibuilder = FFI()
for header in sorted(CDEF.glob("*.h")):
    ffibuilder.cdef(header.read_text())

includes = ["pyqueue.h", "eiffel_selftest.h"]
includes += [f"uapi/{h.name}" for h in sorted(UAPI.glob("*.h"))]

ffibuilder.set_source(
    "eiffel._core",
    "".join(f'#include "{name}"\n' for name in includes),
    sources=[_relative(p) for p in sorted(CSRC.glob("*.c"))] + ["eiffel/_native/pyqueue.c"],
    include_dirs=[_relative(CSRC), "eiffel/_native"],
    extra_compile_args=["-std=gnu11", "-O2", "-Wall", "-Wextra"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
