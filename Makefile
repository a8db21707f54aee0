# The two commands a fresh machine needs (see README.md):
#
#   make bench    set up, then run `eiffel bench` (the main job)
#   make test     set up, then the whole test suite: host tests, then the
#                 kernel module's tests in VMs on Debian's 6.1 and 6.12 kernels
#                 (as root: scripts/setup-host installs QEMU, iptables, ...)
#
# Set-up is a venv in .venv with the package installed in editable mode and
# every extra the tests use; it is redone when the build inputs change.

PYTHON ?= python3
VENV := .venv
EXTRAS := test,bench,netlink,plot,pcap
BUILD_INPUTS := pyproject.toml setup.py $(wildcard csrc/*.c csrc/*.h csrc/uapi/*.h \
	eiffel/_native/*.py eiffel/_native/*.c eiffel/_native/*.h eiffel/_native/cdef/*.h)

all: test

$(VENV)/.installed: $(BUILD_INPUTS)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]'
	touch $@

venv: $(VENV)/.installed

bench: venv
	$(VENV)/bin/eiffel bench

test: venv
	scripts/setup-host
	$(VENV)/bin/python -m pytest -q
	$(MAKE) -C kmod vmtest

# Host tests only (no VM): quick feedback while editing.
check: venv
	$(VENV)/bin/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info eiffel/_core*.so eiffel/_core.c
	$(MAKE) -C kmod clean

.PHONY: all venv bench test check clean
