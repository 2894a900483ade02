"""Without ../shared the tests that need it skip, except under CI: there the session fails at
once with one message that names the missing path and REGIONCOUNT_SHARED (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

TINY = '''
from conftest import shared_path


def test_needs_shared():
    assert shared_path("models").is_dir()


def test_does_not():
    assert 1 + 1 == 2
'''


def _run(tmp_path, ci, shared):
    """pytest on a tiny test file with the project's conftest as a plugin; ``ci`` None: unset."""
    (tmp_path / "test_tiny.py").write_text(TINY)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), env.get("PYTHONPATH")) if p)
    env["REGIONCOUNT_SHARED"] = str(shared)
    if ci is not None:
        env["CI"] = ci
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
                        "conftest", "test_tiny.py"], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


@pytest.mark.parametrize("ci", ["true", "1"])
def test_ci_without_shared_fails_with_one_message(tmp_path, ci):
    missing = tmp_path / "no-shared-here"
    code, out = _run(tmp_path, ci, missing)
    assert code == pytest.ExitCode.USAGE_ERROR, out
    assert out.count("shared test material is missing") == 1, out
    assert str(missing) in out and "REGIONCOUNT_SHARED" in out
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("ERROR: CI is set"), out   # no test ran


@pytest.mark.parametrize("ci", [None, "false"])
def test_without_ci_the_shared_tests_skip(tmp_path, ci):
    code, out = _run(tmp_path, ci, tmp_path / "no-shared-here")
    assert code == 0, out
    assert "1 passed, 1 skipped" in out


def test_ci_with_shared_runs_them(tmp_path):
    shared = tmp_path / "shared"
    (shared / "models").mkdir(parents=True)
    code, out = _run(tmp_path, "true", shared)
    assert code == 0 and "2 passed" in out, out


def test_ci_with_a_missing_shared_file_fails_that_test(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()                                      # the folder exists, "models" does not
    code, out = _run(tmp_path, "true", shared)
    assert code == pytest.ExitCode.TESTS_FAILED, out
    assert "1 failed, 1 passed" in out and str(shared / "models") in out
