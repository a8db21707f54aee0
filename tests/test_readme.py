"""The README's examples run as written (they are doctests in ```pycon fences),
and its layout section names every part of the package."""

import doctest
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples():
    blocks = re.findall(r"```pycon\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README.md has no pycon examples"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README block {number}", str(README), 0)
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted > 0


def _layout():
    return re.search(r"## Layout\n\n```\n(.*?)```", README.read_text(), flags=re.S).group(1)


def test_layout_names_every_part_of_the_package():
    package = README.parent / "eiffel"
    named = set(re.findall(r"^  (\S+)", _layout(), flags=re.M))
    parts = {p.name + "/" for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"}
    parts |= {p.name for p in package.glob("*.py")}
    assert named == parts
    top = set(re.findall(r"^(\S+/)", _layout(), flags=re.M))
    assert top <= {p.name + "/" for p in README.parent.iterdir() if p.is_dir()}
