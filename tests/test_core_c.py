"""Build the core with AddressSanitizer/UBSan and run its C check driver.

tests/c/core_check.c drives the core directly: hFFS searches against a plain
bit array at the sizes where levels change, overflow-safe window math near
2**64, and the randomized self-test (the same one the kernel module runs at
load time) over many seeds.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CC = shutil.which("gcc") or shutil.which("cc")


@pytest.fixture(scope="module")
def core_check(tmp_path_factory):
    if CC is None:
        pytest.fail("no C compiler on PATH: the sanitizer tests need gcc")
    binary = tmp_path_factory.mktemp("c") / "core_check"
    sources = sorted(str(p) for p in (ROOT / "csrc").glob("*.c"))
    subprocess.run(
        [CC, "-std=gnu11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-DEIFFEL_DEBUG",
         "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
         f"-I{ROOT / 'csrc'}", *sources, str(ROOT / "tests/c/core_check.c"), "-o", str(binary)],
        check=True,
    )
    return binary


def test_core_under_sanitizers(core_check):
    result = subprocess.run([str(core_check), "300"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "core_check: ok (300 selftest seeds)" in result.stdout


def test_core_compiles_warning_free_without_debug(tmp_path):
    # The release build (what the kernel and the extension get) must be clean too.
    for source in sorted((ROOT / "csrc").glob("*.c")):
        subprocess.run(
            [CC, "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-c", str(source),
             "-o", str(tmp_path / (source.stem + ".o"))],
            check=True,
        )


def test_selftest_detects_a_broken_core(tmp_path):
    # The self-test must fail when FIFO order within a bucket is broken.
    broken = tmp_path / "csrc"
    shutil.copytree(ROOT / "csrc", broken)
    header = broken / "eiffel_bucket.h"
    text = header.read_text()
    head_insert = text.replace(
        "\tlink->prev = head->prev;\n\tlink->next = head;\n\thead->prev->next = link;\n\thead->prev = link;",
        "\tlink->next = head->next;\n\tlink->prev = head;\n\thead->next->prev = link;\n\thead->next = link;",
    )
    assert head_insert != text
    header.write_text(head_insert)
    binary = tmp_path / "broken_check"
    subprocess.run(
        [CC, "-std=gnu11", "-O1", f"-I{broken}", *sorted(str(p) for p in broken.glob("*.c")),
         str(ROOT / "tests/c/core_check.c"), "-o", str(binary)],
        check=True,
    )
    result = subprocess.run([str(binary), "20"], capture_output=True, text=True)
    assert result.returncode == 1
    assert "selftest seed" in result.stderr
