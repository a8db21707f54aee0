"""Everything but the extension modules is in pyproject.toml.

The extensions are cffi modules built by eiffel/_native/build.py, against
Python's limited API; the wheel is tagged abi3 so one wheel serves every
CPython from 3.10 on.  A hand-written extension would join them as

    ext_modules=[Extension("eiffel.queues._name", sources=[...in eiffel/_native/...],
                           py_limited_api=True,
                           define_macros=[("Py_LIMITED_API", "0x030A0000")])]
"""

from setuptools import setup

setup(
    cffi_modules=[
        "eiffel/_native/build.py:queues_ffi",
        "eiffel/_native/build.py:uapi_ffi",
    ],
    options={"bdist_wheel": {"py_limited_api": "cp310"}},
)
