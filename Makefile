# The two commands a fresh machine needs (see README.md):
#
#   make bench    set up, then run `eiffel bench` (the main job)
#   make test     set up, then the whole test suite, each stage timed:
#                   1. the host tools (scripts/setup-host, as root: QEMU, iptables, ...)
#                   2. the sdist, and the wheel built from the unpacked sdist (make dist)
#                   3. the wheel installed in a fresh venv without extras: the host
#                      suite and the smoke tests of every `eiffel` subcommand
#                   4. the wheel with every extra in another venv: the tests that
#                      need an extra (scripts/test-wheel)
#                   5. the kernel module's tests in VMs on Debian's 6.1 and 6.12
#                      kernels (make -C kmod vmtest, with .venv)
#
# For development: .venv, the package installed in editable mode with every
# extra (redone when the build inputs change); `make check` runs the host
# suite there, against this tree, in a couple of minutes.

PYTHON ?= python3
VENV := .venv
EXTRAS := test,bench,netlink,plot,pcap
DIST := build/dist
BUILD_INPUTS := pyproject.toml setup.py MANIFEST.in $(wildcard csrc/*.c csrc/*.h csrc/uapi/*.h \
	eiffel/_native/*.py eiffel/_native/*.c eiffel/_native/*.h eiffel/_native/cdef/*.h)

# $(call timed,WHAT,COMMAND): run COMMAND, then say how long it took.
timed = @t=$$(date +%s); $(2); rc=$$?; \
	echo "=== make test: $(1): $$(( $$(date +%s) - t ))s$$([ $$rc = 0 ] || echo ", FAILED ($$rc)")"; \
	exit $$rc

all: test

$(VENV)/.installed: $(BUILD_INPUTS)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]' 'build>=1'
	touch $@

venv: $(VENV)/.installed

bench: venv
	$(VENV)/bin/eiffel bench

# python -m build makes the sdist, unpacks it in a temporary directory and
# builds the wheel from that: the wheel proves the sdist complete.
dist: venv
	rm -rf $(DIST)
	$(VENV)/bin/python -m build --outdir $(DIST) .

test: venv
	$(call timed,host set-up,scripts/setup-host)
	$(call timed,sdist and wheel,$(MAKE) --no-print-directory dist)
	$(call timed,wheel without extras,scripts/test-wheel plain $(DIST))
	$(call timed,wheel with every extra,scripts/test-wheel extras $(DIST))
	$(call timed,VM suite,$(MAKE) --no-print-directory -C kmod vmtest)

# Host tests only (no VM, no wheel): quick feedback while editing.
check: venv
	$(VENV)/bin/python -m pytest -q

clean:
	rm -rf $(VENV) build/dist build/test-venvs build/lib* build/temp* *.egg-info
	find eiffel -name '*.so' -delete
	$(MAKE) -C kmod clean

.PHONY: all venv bench dist test check clean
