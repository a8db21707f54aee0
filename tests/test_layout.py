"""The package's rooms keep to themselves: each compiled binding has one
importer, and importing the package loads no optional extra (the installed
command's own check is in test_cli_smoke.py)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for d in ("eiffel", "tests", "benchmarks") for p in (ROOT / d).rglob("*.py")]
IMPORT = re.compile(r"^\s*(?:from\s+(\S+)\s+import\s+(.+)|import\s+(\S+))", re.M)


def _importers(module):
    """Source files that import module (as `import a.b`, `from a.b import`, or `from a import b`)."""
    package, _, name = module.rpartition(".")
    found = set()
    for path in SOURCES:
        for source, names, plain in IMPORT.findall(path.read_text()):
            if plain == module or source == module or (
                    source == package and name in re.split(r"[\s,()]+", names)):
                found.add(path.relative_to(ROOT).as_posix())
    return found


@pytest.mark.parametrize("binding, allowed", [
    ("eiffel.queues._core", r"eiffel/queues/[^/]+\.py"),
    ("eiffel.qdisc._uapi", r"eiffel/qdisc/uapi\.py"),
])  # fmt: skip
def test_each_binding_has_one_room(binding, allowed):
    importers = _importers(binding)
    assert importers, f"nothing imports {binding}: the check is looking in the wrong place"
    assert all(re.fullmatch(allowed, path) for path in importers), importers

