"""eiffel/_native/build.py, the build script of the extensions: the cdef it
generates from the uapi header, and its compiler flags."""

import importlib.util
from pathlib import Path

import pytest

BUILD = Path(__file__).resolve().parents[1] / "eiffel" / "_native" / "build.py"


def _load(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("eiffel_native_build", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HEADER = r"""
/* A header like pkt_sched_eiffel.h: { braces } and #define X 1 in comments */
#ifndef _GUARD_H
#define _GUARD_H
#include <linux/types.h>
enum {
	T_UNSPEC,
	T_ONE,		/* u32: one { */
	T_FIVE = 5,
	__T_MAX
};
#define T_MAX	(__T_MAX - 1)
#define T_OFF	(~0U)	// off
#define T_COUNT	4
#define T_TABLE {					\
	1, 2,						\
	3, 4,						\
}
#define T_TWICE(x) ((x) * 2)
struct t_stats {
	__u32	a;		/* [not an array] */
	__s64	b;
	__u64	per[T_COUNT];
};
#endif
"""


def test_the_uapi_cdef_takes_every_value_from_the_compiler(monkeypatch):
    build = _load(monkeypatch)
    cdef, tables = build.uapi_cdef(HEADER)
    assert tables == ["T_TABLE"]
    assert cdef.splitlines() == [
        "typedef int... __s64;",
        "typedef int... __u32;",
        "typedef int... __u64;",
        "#define T_UNSPEC ...",
        "#define T_ONE ...",
        "#define T_FIVE ...",
        "#define __T_MAX ...",
        "#define T_MAX ...",
        "#define T_OFF ...",
        "#define T_COUNT ...",
        "struct t_stats { __u32 a; __s64 b; __u64 per[...]; };",
        "static const long long t_table[...];",
    ]


def test_the_uapi_cdef_parses_with_cffi(monkeypatch):
    from cffi import FFI

    build = _load(monkeypatch)
    FFI().cdef(build.uapi_cdef(HEADER)[0])
    FFI().cdef(build.uapi_cdef(build.UAPI.read_text())[0])


@pytest.mark.parametrize("env, werror", [({}, True), ({"EIFFEL_WERROR": "0"}, False)])
def test_warnings_are_errors_unless_turned_off(monkeypatch, env, werror):
    monkeypatch.delenv("EIFFEL_WERROR", raising=False)
    assert ("-Werror" in _load(monkeypatch, **env).COMPILE_ARGS) is werror
