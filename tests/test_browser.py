"""The Explorer in a real browser: Voilà renders a notebook, Debian's chromium (driven by
Playwright) uses it as a person would. Screenshots go to ``test-artifacts/`` (not committed).

Skipped, with the reason, when chromium, playwright or voila is missing; ``.ci/run`` installs
them. Every process is started here and stopped by its PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if CHROMIUM is None:
    pytestmark = [pytestmark, pytest.mark.skip(reason="chromium not installed (apt-get install chromium; .ci/run does)")]
elif sync_playwright is None or shutil.which("voila", path=os.path.dirname(sys.executable)) is None:
    pytestmark = [pytestmark, pytest.mark.skip(reason="playwright or voila not installed (pip install playwright voila)")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def explorer_notebook(folder: Path) -> Path:
    """The quickstart, up to and including the cell that shows the Explorer.

    Voilà runs every cell; the quickstart's last cell stops the server (a notebook should clean
    up), which a person exploring would not have run yet, so the copy ends at the Explorer.
    """
    nb = nbformat.read(ROOT / "notebooks" / "01-quickstart.ipynb", as_version=4)
    last = max(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and ".explore()" in c.source)
    nb.cells = nb.cells[: last + 1]
    path = folder / "01-quickstart.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    folder = tmp_path_factory.mktemp("voila")
    notebook = explorer_notebook(folder)
    port, token = free_port(), "mockkit-test-token"
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env[name] = str(tmp_path_factory.mktemp(name.lower()))
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    voila_bin = str(Path(sys.executable).with_name("voila"))
    proc = subprocess.Popen(
        [voila_bin, str(notebook), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
         f"--token={token}", "--Voila.tornado_settings={'headers':{}}"],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    import httpx

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"voila exited: {proc.stdout.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/api/status?token={token}", timeout=2, trust_env=False).status_code < 500:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    yield f"{url}/?token={token}"
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@pytest.fixture(scope="module")
def page(voila):
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1100})
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(voila)
            page.wait_for_selector(".mk-explorer", timeout=90_000)
            yield page
        finally:
            browser.close()


def test_use_the_explorer_like_a_person(page):
    expect = _expect()
    page.screenshot(path=str(ARTIFACTS / "explorer-1-opened.png"), full_page=True)

    # pick an example and load it into the request builder
    page.select_option(".mk-examples select", label=_label(page, "Users, page 2"))
    expect(page.locator(".mk-example-detail")).to_contain_text("Grace Hopper")
    page.locator(".mk-use-example").click()
    expect(page.locator(".mk-summary")).to_contain_text("Users, page 2")
    page.screenshot(path=str(ARTIFACTS / "explorer-2-example-used.png"), full_page=True)

    # change a header: the live table changes without sending anything
    page.locator(".mk-add-header").click()
    page.locator(".mk-header-key input").last.fill("x-mock-response-name")
    page.locator(".mk-header-value input").last.fill("Healthy")
    expect(page.locator(".mk-summary")).to_contain_text("Healthy")
    expect(page.locator(".mk-live")).to_contain_text("x-mock-response-name asks for")
    page.screenshot(path=str(ARTIFACTS / "explorer-3-live-header.png"), full_page=True)

    # send it: the response and the highlighted winner appear
    page.locator(".mk-send").click()
    expect(page.locator(".mk-result")).to_contain_text("200 OK")
    expect(page.locator(".mk-calls select option").first).to_contain_text("Healthy")
    expect(page.locator(".mk-result")).to_contain_text('"status": "ok"')
    winner_row = page.locator(".mk-live tr", has_text="Healthy").first
    expect(winner_row.locator("td").first).to_have_css("background-color", "rgb(230, 244, 234)")
    page.screenshot(path=str(ARTIFACTS / "explorer-4-sent.png"), full_page=True)

    # the call log tab shows every call, including the quickstart's own; clicking one explains it
    page.get_by_role("tab", name="Call log").click()
    page.select_option(".mk-calls select", index=0)
    expect(page.locator(".mk-call-detail")).to_contain_text("Healthy")
    page.screenshot(path=str(ARTIFACTS / "explorer-5-call-log.png"), full_page=True)


def _label(page, name: str) -> str:
    for label in page.locator(".mk-examples select option").all_inner_texts():
        if f"· {name} (" in " ".join(label.split()):
            return label
    raise AssertionError(f"no example option named {name}")


def _expect():
    return expect
