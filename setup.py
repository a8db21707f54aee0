from setuptools import setup

# Everything else is in pyproject.toml; cffi's build hook needs setup.py.
setup(cffi_modules=["eiffel/_native/build.py:ffibuilder"])
