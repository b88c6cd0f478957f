"""The tutorial notebooks: each runs top to bottom in a real kernel, and the committed files are
exactly what ``notebooks/build.py`` writes (no outputs, no execution counts).

The kernel is the Python running these tests: a ``python3`` kernelspec pointing at
``sys.executable`` is written to a temporary folder put first on ``JUPYTER_PATH``, so a
``python3`` kernel installed elsewhere (another venv, the user's own) is never picked up.
Notebooks run with the notebooks folder as their working directory, as they do for a reader.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))
EXPECTED = [
    "01-quickstart.ipynb",
    "02-why-this-example.ipynb",
    "03-dynamic-responses.ipynb",
    "04-mock-in-your-tests.ipynb",
    "05-your-own-collection.ipynb",
    "06-hub.ipynb",
    "07-record-and-replay.ipynb",
]

# Appended to every notebook when it runs here: Run All must leave every Explorer working (its
# server running, Send answered), and whatever is still running is stopped by mockkit.stop_all()
# (the kernel's shutdown does the same).
AFTER_RUN_ALL = """\
import gc
from mockkit.mock import running_servers, stop_all
from mockkit.widgets import Explorer

explorers = [o for o in gc.get_objects() if isinstance(o, Explorer)]
for explorer in explorers:
    assert explorer.server.running, "Run All stopped the server of an Explorer above"
    explorer.widgets["send"].click()
    assert not explorer.errors, explorer.errors
    assert explorer.last_response is not None and explorer.last_response.status_code < 500
    explorer.close()
print(len(explorers), "explorer(s) working")
stop_all()
assert not running_servers()
"""

def write_kernelspec(folder: Path, python: str, name: str = "python3") -> Path:
    """A kernelspec for ``python`` under ``folder/kernels/name``; put ``folder`` on JUPYTER_PATH."""
    spec_dir = folder / "kernels" / name
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python 3 ({python})",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return spec_dir


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """JUPYTER_PATH with a ``python3`` kernel that runs this interpreter; yields the kernel name."""
    folder = tmp_path_factory.mktemp("jupyter")
    write_kernelspec(folder, sys.executable)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", os.pathsep.join([str(folder), os.environ.get("JUPYTER_PATH", "")]).rstrip(os.pathsep))
        mp.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # no debugger warning on stderr
        yield "python3"


def execute(path: Path, kernel_name: str, cwd: Path = NOTEBOOKS_DIR, timeout: int = 120):
    """Run a notebook (plus the Run All check) in a fresh kernel; returns the executed copy."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(AFTER_RUN_ALL))
    client = nbclient.NotebookClient(
        nb, timeout=timeout, kernel_name=kernel_name, resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return nb


def stderr_of(nb) -> list[str]:
    return [
        f"cell {i}: {out.get('text', '')}"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]


def load_build():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS_DIR / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tutorials_are_there() -> None:
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, kernel_env: str) -> None:
    nb = execute(path, kernel_env)
    errors = [
        out for cell in nb.cells if cell.cell_type == "code"
        for out in cell.outputs if out.output_type == "error"
    ]
    assert not errors
    assert not stderr_of(nb), "a tutorial should not print warnings:\n" + "\n".join(stderr_of(nb))
    if path.name == "01-quickstart.ipynb":
        assert "1 explorer(s) working" in nb.cells[-1].outputs[0]["text"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_run_all_reaches_no_stop_above_a_widget(path: Path) -> None:
    """Clean-up that Run All reaches must not come after an Explorer (it would leave it dead)."""
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    shown = [i for i, source in enumerate(cells) if ".explore()" in source]
    if shown:
        later = "\n".join(cells[shown[0]:])
        assert ".stop()" not in later and "stop_all()" not in later


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == [], f"{path.name}: cell {cell.id} has outputs"
        assert cell.execution_count is None, f"{path.name}: cell {cell.id} has an execution count"
    assert all(c.cell_type in ("markdown", "code") for c in nb.cells)
    prose = sum(c.cell_type == "markdown" for c in nb.cells)
    assert prose >= len(code_cells) // 2, f"{path.name}: tutorials explain between the cells"


def test_build_regenerates_the_committed_notebooks(tmp_path: Path) -> None:
    build = load_build()
    written = build.write(tmp_path)
    assert sorted(p.name for p in written) == EXPECTED
    for path in written:
        committed = NOTEBOOKS_DIR / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"{path.name} differs from what notebooks/build.py writes: run `python notebooks/build.py`"
        )


def test_build_is_reproducible() -> None:
    build = load_build()
    assert build.build() == build.build()


def test_notebook_data_loads() -> None:
    import mockkit

    data = NOTEBOOKS_DIR / "data"
    for path in sorted(data.glob("*.postman_collection.json")):
        assert mockkit.load_collection(path).examples
    for path in sorted(data.glob("*.postman_environment.json")):
        assert mockkit.load_environment(path).variables
