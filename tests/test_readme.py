"""The README's promises: the explanation sample is what ``mockkit explain`` prints today, and
nothing in it points at a placeholder or at a file a user's clone does not have.

    python tests/test_readme.py --write      # regenerate the sample after changing the output
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKER = re.compile(r"<!-- explain-sample: COLUMNS=(\d+) mockkit explain (.+?) -->\n```\n(.*?)```\n", re.S)


def sample(width: int, args: str) -> str:
    """What the README's command prints at that terminal width (no colours), run from the root."""
    import shlex

    env = {**os.environ, "COLUMNS": str(width), "NO_COLOR": "1", "TERM": "dumb"}
    out = subprocess.run([sys.executable, "-m", "mockkit", "explain", *shlex.split(args)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return f"$ mockkit explain {args}\n{out}"


def test_the_explain_sample_is_real_output() -> None:
    match = MARKER.search(README.read_text(encoding="utf-8"))
    assert match, "README.md lost its explain-sample markers"
    width, args, shown = int(match.group(1)), match.group(2), match.group(3)
    assert shown == sample(width, args), "the README's sample is stale: run `python tests/test_readme.py --write`"
    assert max(len(line) for line in shown.splitlines()) <= width


def test_no_placeholders_or_missing_files() -> None:
    text = README.read_text(encoding="utf-8")
    assert "OWNER/REPO" not in text and "../shared" not in text
    for path in re.findall(r"`((?:notebooks|mockkit|tests|binder|bench|\.ci)/[\w./-]+)`", text):
        assert (ROOT / path).exists(), f"README names {path}, which is not in the repository"
    assert "Python 3.11" in text


def test_python_snippets_define_what_they_use() -> None:
    """Every Python block that uses `api_key` or `hub` says where they come from."""
    for block in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for name in ("api_key", "hub"):
            if re.search(rf"\b{name}\b", block):
                assert re.search(rf"^{name} = ", block, re.M), f"`{name}` is used but not introduced:\n{block}"


def test_python_snippets_run(tmp_path: Path, monkeypatch) -> None:
    """Each Python block runs on its own, in an empty folder (the pytest one is a test file)."""
    import mockkit

    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    try:
        for block in blocks:
            if "def test_" not in block:
                exec(compile(block, "README.md", "exec"), {})
    finally:
        mockkit.stop_all()


def write() -> None:
    text = README.read_text(encoding="utf-8")
    match = MARKER.search(text)
    assert match
    block = match.group(0).replace(match.group(3), sample(int(match.group(1)), match.group(2)))
    README.write_text(text.replace(match.group(0), block), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    else:
        sys.exit(__doc__)
