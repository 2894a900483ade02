"""Every fenced example of README.md and docs/*.md, run as a test (one per block, id page:line).

The info string of a fence decides what happens to the block:

``console``
    A shell session. A line starting with ``$ `` is a command (continued on the next line after
    a trailing ``\\``, and on lines starting with ``> ``, the shell's second prompt, as in a
    here-document or a multi-line string); the lines after it, up to the next ``$ `` line, are
    its expected output (stdout and stderr together, as a terminal shows them). Each command
    runs with ``bash -c`` in a fresh temporary directory, not in the checkout; ``regioncount``
    there runs ``python -m regioncount.cli.main`` with the interpreter of the test run (so
    under tox the installed package, never the source folder), and ``python`` is that
    interpreter. The temporary directory holds ``models/``, a link to the project's shipped
    models, so paths such as ``models/moons_2d.onnx`` work as written in a checkout; anything
    else a session uses it writes itself (``echo '{...}' > box.json``). Commands of one block
    share the directory and run in order. A command must exit 0, unless its shown output
    contains the CLI's one-line error ``regioncount: error:``; then it must exit non-zero.
``python``
    With ``>>>`` prompts: a doctest of the block (one fresh namespace per block, run in such a
    temporary directory). Without prompts: the block is saved as ``example.py`` in a temporary
    directory and run as a script (``python example.py``), exactly as a user would save it; it
    must exit 0. Use this form for code whose point is a script (the ``__main__`` guard of
    parallel counts), or that only writes files; a short value is better shown with ``>>>``.
``output``
    Right after a script block (only blank lines between): what the script prints on stdout.
``text``, ``sh``, ``bash``, ``json``
    Not run: formulas, command synopses, file contents and the shapes of outputs (``text``,
    ``json``), installation, tox and cluster set-up (``sh``, ``bash``). A block with any other
    info string, or none, fails the test ``test_every_block_declares_its_kind``.

Comparing outputs: exact, line by line (trailing spaces and trailing blank lines ignored),
except that

- timings are replaced by one token before the comparison: a number followed by ``s``,
  ``ms``, ``sec`` or ``seconds``, a rate such as ``1,234/s`` or ``80 regions/s``, and the
  value of a JSON key ``"seconds"``;
- ``...`` in a shown output matches any text, including several lines (doctest's
  ``ELLIPSIS``): use it to shorten long outputs, never to hide a number that could be wrong.

Markers: an HTML comment on the line right before the opening fence.

- ``<!-- slow -->``: the example takes more than about 20 s; the test is marked
  ``pytest.mark.slow`` (``tox -e slow`` runs it).
- ``<!-- needs-shared -->``: the example uses the real verification models, which are not
  shipped; it is skipped when they are absent (``tests/conftest.py``: ``$REGIONCOUNT_SHARED``,
  passed to the session as that environment variable). Prefer examples on ``models/``.
- ``<!-- continue -->``: the example uses files that the runnable block before it on the page
  wrote: that block (and the ones it continues) runs first, in the same directory, with its own
  checks. Only files carry over, not Python names.

Besides the examples, this file checks that every example is fenced (no indented block with
``$ regioncount`` or ``>>>``) and that no page names a file that does not ship.
"""

from __future__ import annotations

import doctest
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

RUN_KINDS = {"console", "python"}
NOT_RUN_KINDS = {"text", "sh", "bash", "json"}
OUTPUT_KIND = "output"
MARKERS = {"slow", "needs-shared", "continue"}

#: Seconds before a single command or script is killed (the slow examples take minutes).
TIMEOUT = 900

#: Files a user does not have (notes that were never published, the test suite's data files,
#: the real models beside the checkout); no page may name them.
FORBIDDEN = ["REGIONS.md", "BOUNDS.md", "SOURCES.md", "exact_counts.json", "bound_values.json",
             "../shared", "models/cifar_base_kw.onnx"]

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)[^`]*$")
MARKER = re.compile(r"^\s*<!--\s*([\w\s-]+?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced block: page (relative to the repository), line of the opening fence."""

    page: str
    line: int
    info: str
    text: str
    markers: frozenset = field(default_factory=frozenset)
    follows: bool = False             # only blank lines since the previous block's closing fence
    expected: str | None = None       # a script's ``output`` block
    setup: tuple = ()                 # the blocks a ``continue`` block runs after

    @property
    def is_script(self) -> bool:
        return self.info == "python" and ">>>" not in self.text

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def fenced_blocks(path: Path) -> list[Block]:
    """The fenced blocks of one Markdown page, with the markers on the line before each, the
    output block of each script, and the blocks each ``continue`` block runs after."""
    return _link(_read_fences(path))


def _read_fences(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, i, last_end = [], 0, None
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3)
        start, body, i = i, [], i + 1
        while i < len(lines) and not re.match(rf"^\s*{fence[0]}{{{len(fence)},}}\s*$", lines[i]):
            body.append(re.sub(rf"^ {{0,{indent}}}", "", lines[i]))  # the fence's indentation
            i += 1
        markers, k = set(), start - 1
        while k >= 0 and MARKER.match(lines[k]):
            markers.update(MARKER.match(lines[k]).group(1).split())
            k -= 1
        follows = last_end is not None and all(not x.strip() for x in lines[last_end + 1:start])
        blocks.append(Block(str(path.relative_to(ROOT)), start + 1, info, "\n".join(body) + "\n",
                            frozenset(markers), follows))
        last_end, i = i, i + 1
    return blocks


def _link(blocks: list[Block]) -> list[Block]:
    for k in range(len(blocks) - 1):   # a script's output block
        if blocks[k].is_script and blocks[k + 1].info == OUTPUT_KIND and blocks[k + 1].follows:
            blocks[k] = replace(blocks[k], expected=blocks[k + 1].text)
    previous = None                    # the last runnable block of the page
    for k, b in enumerate(blocks):
        if b.info not in RUN_KINDS:
            continue
        if "continue" in b.markers:
            assert previous is not None, f"{b.id}: 'continue' needs a runnable block before it"
            blocks[k] = replace(b, setup=(*previous.setup, previous))
        previous = blocks[k]
    return blocks


def all_blocks() -> list[Block]:
    return [b for page in PAGES for b in fenced_blocks(page)]


def example_params():
    params = []
    for b in all_blocks():
        if b.info not in RUN_KINDS:
            continue
        marks = [pytest.mark.slow] if "slow" in b.markers else []
        params.append(pytest.param(b, id=b.id, marks=marks))
    return params


# -- comparing outputs --------------------------------------------------------------------------

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?"
TIMINGS = [
    (re.compile(r'("seconds"\s*:\s*)-?' + _NUM), r"\1<T>"),
    (re.compile(_NUM + r"\s?(?:[A-Za-z]+)?/s\b"), "<RATE>"),
    (re.compile(_NUM + r"\s?(?:ms|s|sec|seconds)\b"), "<T>"),
]


def normalise(text: str) -> str:
    """Trailing spaces and blank lines dropped, timings replaced by a token."""
    for pattern, repl in TIMINGS:
        text = pattern.sub(repl, text)
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines()) + "\n"


class TimingChecker(doctest.OutputChecker):
    """doctest's comparison (with ELLIPSIS) after :func:`normalise` of both sides."""

    def check_output(self, want, got, optionflags):
        return super().check_output(normalise(want), normalise(got),
                                    optionflags | doctest.ELLIPSIS)


def outputs_match(want: str, got: str) -> bool:
    return TimingChecker().check_output(want, got, doctest.ELLIPSIS)


# -- the environment of an example --------------------------------------------------------------

def workdir(tmp_path: Path) -> tuple[Path, dict]:
    """A fresh directory with ``models`` linked in, and the environment of its commands."""
    work, bin_ = tmp_path / "work", tmp_path / "bin"
    work.mkdir()
    bin_.mkdir()
    (work / "models").symlink_to(ROOT / "models", target_is_directory=True)
    for name, args in (("regioncount", "-m regioncount.cli.main "), ("python", "")):
        script = bin_ / name  # a script, not a link: a link would leave the virtualenv
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" {args}"$@"\n')
        script.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONUNBUFFERED="1", MPLBACKEND="Agg")
    env.pop("PYTHONPATH", None)
    from conftest import SHARED

    env["REGIONCOUNT_SHARED"] = str(SHARED)
    return work, env


def skip_unless_runnable(block: Block) -> None:
    unknown = block.markers - MARKERS
    assert not unknown, f"{block.id}: unknown marker(s) {sorted(unknown)}; known: {sorted(MARKERS)}"
    if "needs-shared" in block.markers:
        from conftest import SHARED

        if not SHARED.exists():
            pytest.skip(f"needs the real verification models ({SHARED} is absent)")


def session(text: str) -> list[tuple[str, str]]:
    """``[(command, expected output)]`` of a console block."""
    steps, lines = [], text.splitlines()
    assert lines and lines[0].startswith("$ "), "a console block starts with a '$ ' command"
    i = 0
    while i < len(lines):
        cmd = lines[i][2:]
        i += 1
        while i < len(lines) and (cmd.endswith("\\") or lines[i].startswith("> ")):
            cmd += "\n" + lines[i].removeprefix("> ")
            i += 1
        out = []
        while i < len(lines) and not lines[i].startswith("$ "):
            out.append(lines[i])
            i += 1
        steps.append((cmd, "\n".join(out)))
    return steps


def run_console(block: Block, work: Path, env: dict) -> None:
    for cmd, want in session(block.text):
        proc = subprocess.run(["bash", "-c", cmd], cwd=work, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
        got = proc.stdout
        assert outputs_match(want, got), (
            f"{block.id}: output of `{cmd}` differs\n--- shown\n{want}\n--- printed now\n{got}")
        if "regioncount: error:" in want:
            assert proc.returncode != 0, f"{block.id}: `{cmd}` should fail, it exited 0"
        else:
            assert proc.returncode == 0, f"{block.id}: `{cmd}` exited {proc.returncode}\n{got}"


def run_doctest(block: Block, work: Path, env: dict) -> None:
    """In this process, with ``work`` as the current directory (the caller's monkeypatch)."""
    assert Path.cwd() == work
    test = doctest.DocTestParser().get_doctest(block.text, {"__name__": "__docs__"}, block.id,
                                               block.page, block.line)
    runner = doctest.DocTestRunner(checker=TimingChecker(), optionflags=doctest.ELLIPSIS)
    buf = io.StringIO()
    result = runner.run(test, out=buf.write, clear_globs=True)
    assert result.attempted > 0
    assert result.failed == 0, buf.getvalue()


def run_script(block: Block, work: Path, env: dict) -> None:
    (work / "example.py").write_text(block.text)
    proc = subprocess.run([sys.executable, "example.py"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, f"{block.id}: the script failed\n{proc.stdout}\n{proc.stderr}"
    if block.expected is not None:
        assert outputs_match(block.expected, proc.stdout), (
            f"{block.id}: the script printed\n{proc.stdout}\n--- shown\n{block.expected}")


def run_block(block: Block, work: Path, env: dict) -> None:
    if block.info == "console":
        run_console(block, work, env)
    elif block.is_script:
        run_script(block, work, env)
    else:
        run_doctest(block, work, env)


# -- the tests ----------------------------------------------------------------------------------

@pytest.mark.parametrize("block", example_params())
def test_example(block, tmp_path, monkeypatch):
    for b in (*block.setup, block):
        skip_unless_runnable(b)
    work, env = workdir(tmp_path)
    monkeypatch.chdir(work)
    for earlier in block.setup:   # <!-- continue -->: the blocks whose files this one uses
        run_block(earlier, work, env)
    run_block(block, work, env)


def test_every_block_declares_its_kind():
    bad = [f"{b.id} ({b.info or 'no info string'})" for b in all_blocks()
           if b.info not in RUN_KINDS | NOT_RUN_KINDS | {OUTPUT_KIND}]
    assert not bad, ("blocks must say whether they run (console, python) or not "
                     f"({', '.join(sorted(NOT_RUN_KINDS))}): {bad}")


def test_output_blocks_follow_a_script():
    for page in PAGES:
        blocks = fenced_blocks(page)
        for prev, b in zip([None, *blocks], blocks):
            if b.info == OUTPUT_KIND:
                assert prev is not None and prev.is_script and b.follows, (
                    f"{b.id}: an output block must follow a python script block")


def test_examples_are_fenced():
    """An example in an indented block would never run: commands and prompts must be fenced."""
    bad = []
    for page in PAGES:
        inside = False
        for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if FENCE.match(line):
                inside = not inside
            elif not inside and re.match(r"^ {4,}(\$ |>>> )", line):
                bad.append(f"{page.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not bad, bad


def test_no_page_names_a_file_that_does_not_ship():
    bad = [f"{page.relative_to(ROOT)}:{n}: {name}"
           for page in PAGES
           for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
           for name in FORBIDDEN if name in line]
    assert not bad, bad


def test_bounds_page_states_every_bound():
    """docs/bounds.md is the reference of the bounds: each one of the registry has its row in
    the table of formulas (value, condition, source)."""
    from regioncount.bounds.registry import BOUNDS

    text = (ROOT / "docs" / "bounds.md").read_text(encoding="utf-8")
    table = text[text.index("## The formulas"):]
    rows = {m.group(1) for m in re.finditer(r"^\| `(\w+)` \|", table, re.M)}
    assert set(BOUNDS) <= rows, sorted(set(BOUNDS) - rows)


def test_console_sessions_parse():
    for b in all_blocks():
        if b.info == "console":
            assert session(b.text), b.id


@pytest.mark.parametrize("want, got, same", [
    ("took 1.5 s, 30 regions", "took 12.25 s, 30 regions", True),
    ("took 1.5 s, 30 regions", "took 1.5 s, 31 regions", False),
    ('{"seconds": 0.22, "lps": 77}', '{"seconds": 3, "lps": 77}', True),
    ('{"seconds": 0.22, "lps": 77}', '{"seconds": 0.22, "lps": 78}', False),
    ("rate 1,234/s  |  LPs 9", "rate 88/s  |  LPs 9", True),
    ("a\n...\nz", "a\nb\nc\nz", True),
    ("1,466 parameters", "1,482 parameters", False),
    ("8 samples", "9 samples", False),
])
def test_output_comparison(want, got, same):
    assert outputs_match(want, got) is same
