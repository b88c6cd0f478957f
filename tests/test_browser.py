"""The explanations and the Explorer in a real browser, measured as a person sees them.

JupyterLab 4 (Light and Dark themes) and Notebook 7 open the tutorials with the file browser
open in a 1440x900 window, run them with Run All, and the tests measure DOM boxes and computed
colours: the winner's reason inside the visible area, WCAG contrast of every text we draw,
score bars of different lengths, eight ranking rows visible at once, no horizontal scrollbar in
any output. Voilà (a classic renderer without JupyterLab's own page) drives the Explorer as a
person would. Debian's chromium runs headless under Playwright; screenshots go to
``test-artifacts/`` (not committed).

Skipped, with the reason, when chromium, playwright, jupyterlab or voila is missing; ``.ci/run``
installs them. One JupyterLab server per module (with pytest-xdist's ``--dist loadfile``, one per
worker that runs this module: the module's tests stay on one worker), stopped by its PID.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BIN = Path(sys.executable).parent
TOKEN = "mockkit-test-token"
VIEWPORT = {"width": 1440, "height": 900}

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if CHROMIUM is None:
    pytestmark = [pytestmark, pytest.mark.skip(reason="chromium not installed (apt-get install chromium; .ci/run does)")]
elif sync_playwright is None or not (BIN / "jupyter-lab").exists() or not (BIN / "voila").exists():
    pytestmark = [pytestmark, pytest.mark.skip(
        reason="playwright, jupyterlab or voila not installed (pip install -e '.[browser]')")]

MEASURE_JS = (Path(__file__).parent / "measure.js").read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_settings(folder: Path, theme: str) -> None:
    """JupyterLab user settings for tests (notes/jupyter.md): theme, every cell in the DOM, no news."""
    settings = {
        "@jupyterlab/apputils-extension/themes.jupyterlab-settings": {"theme": theme},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                              "checkForUpdates": False},
    }
    for name, value in settings.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")


class PortTaken(Exception):
    """The server could not listen on the port it was given (another process took it first)."""


def start(argv: list[str], env: dict[str, str], cwd: Path, ready_url: str) -> subprocess.Popen:
    """Start a server process in its own session and wait (bounded) until ``ready_url`` answers."""
    import httpx

    log = open(cwd / f"{Path(argv[0]).name}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.close()
            output = (cwd / log.name).read_text(errors="replace")
            if "already in use" in output:
                raise PortTaken(output[-500:])
            pytest.fail(f"{argv[0]} exited: {output[-3000:]}")
        try:
            if httpx.get(ready_url, timeout=2, trust_env=False).status_code < 500:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop(proc)
    pytest.fail(f"{argv[0]} did not answer within 90 s")


def start_on_free_port(argv_for: Callable[[int], list[str]], env: dict[str, str],
                       cwd: Path) -> tuple[subprocess.Popen, str]:
    """``start`` on a free loopback port; another port if a process (say, another pytest-xdist
    worker's server) took it between ``free_port`` and the server's bind (3 tries)."""
    for attempt in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        try:
            return start(argv_for(port), env, cwd, f"{url}/api/status?token={TOKEN}"), url
        except PortTaken as taken:
            if attempt == 2:
                pytest.fail(f"{argv_for(port)[0]}: no free port in 3 tries: {taken}")
    raise AssertionError("unreachable")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def jupyter_env(tmp: Path) -> dict[str, str]:
    from test_notebooks import write_kernelspec

    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        (tmp / name.lower()).mkdir()
        env[name] = str(tmp / name.lower())
    kernels = tmp / "kernels-path"
    write_kernelspec(kernels, sys.executable)
    env["JUPYTER_PATH"] = os.pathsep.join([str(kernels), str(Path(sys.prefix) / "share" / "jupyter")])
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("notebooks")
    for path in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"):
        shutil.copy(path, folder / path.name)
    shutil.copytree(NOTEBOOKS / "data", folder / "data")
    return folder


@pytest.fixture(scope="module")
def lab(workdir, tmp_path_factory):
    """One JupyterLab server (which also serves Notebook 7) for the module; yields its URL."""
    tmp = tmp_path_factory.mktemp("lab")
    settings = tmp / "settings"
    write_settings(settings, "JupyterLab Light")
    env = {**jupyter_env(tmp), "JUPYTERLAB_SETTINGS_DIR": str(settings)}
    proc, url = start_on_free_port(lambda port: [
        str(BIN / "jupyter-lab"), "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={workdir}", "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        "--ServerApp.disable_check_xsrf=False"], env, tmp)
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def new_page(browser):
    """A fresh 1440x900 page (its own context: no state shared between tests)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()


def run_all(page, url: str) -> None:
    """Open a notebook, run every cell (Run All, as a person would), wait until all ran."""
    page.goto(url)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell && "
                           "document.querySelector('.jp-Notebook .jp-Cell')", timeout=120_000)
    page.wait_for_function("""() => {
        const w = window.jupyterapp.shell.currentWidget;
        const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
        return k && k.status === 'idle';
    }""", timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function("""() => {
        const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
        return prompts.length && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
    }""", timeout=180_000)
    page.evaluate(MEASURE_JS)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.all_inner_texts()


def set_theme(page, theme: str) -> None:
    page.evaluate(f"window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{theme}'}})")
    light = "true" if "Light" in theme else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'", timeout=30_000)
    page.wait_for_timeout(500)  # the theme's CSS variables settle


def check_explanations(page, label: str) -> None:
    """Every explanation output: no horizontal scrollbar, winner's reason visible, contrast."""
    views = page.locator(".jp-OutputArea-output > .mk-explanation")
    assert views.count() >= 2, f"{label}: no explanation outputs"
    for i in range(views.count()):
        view = views.nth(i)
        view.scroll_into_view_if_needed()
        result = view.evaluate("el => mk.explanation(el)")
        assert not result["hscroll"], f"{label}: horizontal scrollbar in explanation {i}: {result['hscroll']}"
        if result["winner"] is not None:
            assert result["winner"]["inside"], f"{label}: winner's reason clipped: {result['winner']}"
        assert result["contrast"]["min"] >= 4.5, f"{label}: low contrast in explanation {i}: {result['contrast']}"


def check_explorer(page, label: str, shot: str) -> None:
    """Use an example, then measure the ranking as a person sees it (screenshot ``shot``)."""
    explorer = page.locator(".mk-explorer").last
    explorer.scroll_into_view_if_needed()
    option = explorer.locator(".mk-examples select option", has_text="Users, page 2")
    explorer.locator(".mk-examples select").select_option(value=option.get_attribute("value"))
    explorer.locator(".mk-use-example").click()
    expect(explorer.locator(".mk-summary")).to_contain_text("Users, page 2")
    page.mouse.move(5, 5)  # row hover changes colours
    result = explorer.evaluate("el => mk.explorer(el)")
    page.screenshot(path=str(ARTIFACTS / shot))
    assert result["rowsVisible"] >= 8, f"{label}: only {result['rowsVisible']} ranking rows visible at once"
    assert result["winner"]["inside"], f"{label}: the winner's reason is not fully visible: {result['winner']}"
    widths = result["bars"]
    assert widths[0] - widths[1] >= 3, f"{label}: bars for {result['scores'][:2]} look alike: {widths[:2]}"
    assert not result["hscroll"], f"{label}: horizontal scrollbar: {result['hscroll']}"
    assert result["fits"], f"{label}: the Explorer is wider than its output area"
    assert result["contrast"]["min"] >= 4.5, f"{label}: low contrast: {result['contrast']}"


def check_outputs(page, label: str) -> None:
    """No output with a horizontal scrollbar, none much taller than the window, every text in
    every output at 4.5:1 contrast or more."""
    outputs = page.evaluate("() => mk.outputs()")
    wide = [o for o in outputs if o["hscroll"]]
    assert not wide, f"{label}: outputs with a horizontal scrollbar: {wide}"
    tall = [o for o in outputs if o["height"] > 1100 and not o["explorer"]]
    assert not tall, f"{label}: outputs taller than a screen and a bit: {tall}"
    dim = [o for o in outputs if o["contrast"]["min"] < 4.5]
    assert not dim, f"{label}: outputs with low-contrast text: {dim}"


def test_quickstart_in_jupyterlab_light_and_dark(lab, browser):
    with new_page(browser) as page:
        run_all(page, f"{lab}/lab/tree/01-quickstart.ipynb?reset&token={TOKEN}")
        assert page.locator(".jp-FileBrowser").is_visible(), "the file browser should be open"
        send = page.locator(".mk-explorer .mk-send")
        send.click()  # Run All left the server running: Send works
        expect(page.locator(".mk-explorer .mk-result")).to_contain_text("200 OK")
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            name = "light" if "Light" in theme else "dark"
            check_explanations(page, f"01 {name}")
            check_outputs(page, f"01 {name}")
            page.locator(".jp-OutputArea-output > .mk-explanation").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"lab-{name}-1-explain.png"))
            check_explorer(page, f"01 explorer {name}", f"lab-{name}-3-ranking.png")
            page.locator(".mk-explorer").evaluate("el => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(ARTIFACTS / f"lab-{name}-2-explorer.png"))
        set_theme(page, "JupyterLab Light")


def test_why_this_example_tables_fit_at_1440(lab, browser):
    with new_page(browser) as page:
        run_all(page, f"{lab}/lab/tree/02-why-this-example.ipynb?reset&token={TOKEN}")
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            set_theme(page, theme)
            name = "light" if "Light" in theme else "dark"
            check_explanations(page, f"02 {name}")
            check_outputs(page, f"02 {name}")
            page.locator(".jp-OutputArea-output > .mk-explanation").nth(1).scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"lab-{name}-4-why-this-example.png"))
            page.locator(".jp-OutputArea-output table").nth(3).scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"lab-{name}-5-tables.png"))
        set_theme(page, "JupyterLab Light")


@pytest.mark.parametrize("name", ["03-dynamic-responses", "04-mock-in-your-tests", "05-your-own-collection", "06-hub"])
def test_other_tutorials_fit_at_1440(lab, browser, name):
    with new_page(browser) as page:
        run_all(page, f"{lab}/lab/tree/{name}.ipynb?reset&token={TOKEN}")
        check_outputs(page, name)
        page.screenshot(path=str(ARTIFACTS / f"lab-light-{name}.png"))


def test_record_and_replay_marks_forwarded_calls_in_light_and_dark(lab, browser):
    """Tutorial 07 (issue 16): its outputs fit, and the Explorer's call log marks the forwarded
    calls (⇢) and the recorded ones (● and the example each became)."""
    with new_page(browser) as page:
        run_all(page, f"{lab}/lab/tree/07-record-and-replay.ipynb?reset&token={TOKEN}")
        explorer = page.locator(".mk-explorer").last
        explorer.scroll_into_view_if_needed()
        explorer.locator(".lm-TabBar-tab", has_text="Call log").click()
        explorer.locator(".mk-refresh-calls").click()  # the calls made after the Explorer opened
        calls = explorer.locator(".mk-calls select option")
        expect(calls.first).to_contain_text("502")  # the newest: forwarded after the API stopped
        labels = [t.replace("\xa0", " ") for t in calls.all_inner_texts()]
        recorded = [t for t in labels if t.startswith("●")]
        assert any("recorded as 'books / GET /books/2 / 200 OK'" in t for t in recorded), labels
        assert labels[0].startswith("⇢") and labels[0].endswith("GET /books/3 → 502 upstreamConnectionError, forwarded")
        chosen = explorer.locator(".mk-calls select option", has_text="recorded as 'books / GET /books/2 / 200 OK'")
        explorer.locator(".mk-calls select").select_option(value=chosen.get_attribute("value"))
        expect(explorer.locator(".mk-call-detail")).to_contain_text("forwarded to")
        for name in each_theme(page):
            check_explanations(page, f"07 {name}")
            check_outputs(page, f"07 {name}")
            explorer.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(ARTIFACTS / f"lab-{name}-7-call-log.png"))
            contrast = explorer.evaluate("el => mk.contrastOf(el)")
            assert contrast["min"] >= 4.5, f"07 explorer {name}: low contrast: {contrast}"


def each_theme(page) -> Iterator[str]:
    """Switch to JupyterLab Light, then Dark (yielding "light", "dark"), then back to Light."""
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        set_theme(page, theme)
        yield "light" if "Light" in theme else "dark"
    set_theme(page, "JupyterLab Light")


def test_quickstart_in_notebook_7(lab, browser):
    with new_page(browser) as page:
        run_all(page, f"{lab}/notebooks/01-quickstart.ipynb?token={TOKEN}")
        check_explanations(page, "notebook 7")
        check_explorer(page, "notebook 7 explorer", "notebook7-explorer.png")


# ------------------------------------------------------------------------------------ Voilà


@pytest.fixture(scope="module")
def voila(workdir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("voila")
    proc, url = start_on_free_port(lambda port: [
        str(BIN / "voila"), str(workdir / "01-quickstart.ipynb"), "--no-browser", "--Voila.ip=127.0.0.1",
        f"--port={port}", f"--token={TOKEN}", "--Voila.tornado_settings={'headers':{}}"], jupyter_env(tmp), workdir)
    yield f"{url}/?token={TOKEN}"
    stop(proc)


def test_use_the_explorer_like_a_person_in_voila(voila, browser):
    with new_page(browser) as page:
        page.goto(voila)
        page.wait_for_selector(".mk-explorer", timeout=120_000)
        page.evaluate(MEASURE_JS)
        page.screenshot(path=str(ARTIFACTS / "voila-1-opened.png"), full_page=True)

        # a shadowed example: "use as request" adds the header that reaches it
        page.select_option(".mk-examples select", label=_label(page, "User not found"))
        expect(page.locator(".mk-example-detail")).to_contain_text("User not found")
        page.locator(".mk-use-example").click()
        expect(page.locator(".mk-summary")).to_contain_text("x-mock-response-code: 404")
        expect(page.locator(".mk-summary .mk-verdict")).to_contain_text("User not found")
        page.screenshot(path=str(ARTIFACTS / "voila-2-reach.png"), full_page=True)

        # an example its own request reaches: nothing is added
        page.select_option(".mk-examples select", label=_label(page, "Users, page 2"))
        page.locator(".mk-use-example").click()
        expect(page.locator(".mk-summary .mk-verdict")).to_contain_text("Users, page 2")
        expect(page.locator(".mk-summary .mk-hint")).to_have_count(0)

        # change a header: the ranking changes without sending anything
        page.locator(".mk-add-header").click()
        page.locator(".mk-header-key input").last.fill("x-mock-response-name")
        page.locator(".mk-header-value input").last.fill("Healthy")
        expect(page.locator(".mk-summary")).to_contain_text("Healthy")
        expect(page.locator(".mk-live")).to_contain_text("x-mock-response-name asks for")
        page.screenshot(path=str(ARTIFACTS / "voila-3-live-header.png"), full_page=True)

        # send it: the response and the highlighted winner appear
        page.locator(".mk-send").click()
        expect(page.locator(".mk-result")).to_contain_text("200 OK")
        expect(page.locator(".mk-calls select option").first).to_contain_text("Healthy")
        winner = page.locator(".mk-live tr.mk-winner")
        expect(winner).to_contain_text("Healthy")
        page.mouse.move(5, 5)
        result = page.locator(".mk-explorer").evaluate("el => mk.explorer(el)")
        assert result["contrast"]["min"] >= 4.5, result["contrast"]
        assert result["winner"]["inside"] and not result["hscroll"]
        page.screenshot(path=str(ARTIFACTS / "voila-4-sent.png"), full_page=True)

        # the call log tab shows every call, including the quickstart's own; clicking one explains it
        page.get_by_role("tab", name="Call log").click()
        page.select_option(".mk-calls select", index=0)
        expect(page.locator(".mk-call-detail")).to_contain_text("Healthy")
        page.screenshot(path=str(ARTIFACTS / "voila-5-call-log.png"), full_page=True)


def _label(page, name: str) -> str:
    for label in page.locator(".mk-examples select option").all_inner_texts():
        if f"· {name} (" in " ".join(label.split()):
            return label
    raise AssertionError(f"no example option named {name}")
