"""The Explorer: browse a mock's examples, build and fire requests, watch the scores live.

    explorer = mock.explore()       # display it: the last expression of a cell

The first tab holds the examples and the request builder side by side, then, across the whole
width, the verdict, the ranking (every candidate's score bar and full reason, wrapped) and the
last response; the call log is on the second tab. While the request is edited, the ranking is
recomputed without sending anything (debounced), so changing a header shows at once which
example would win and why. "use as request" on an example that its own saved request cannot
reach also fills in the control header that reaches it (``checks.reaching_header``) and says so.

Colours are JupyterLab's CSS variables with theme-neutral fallbacks (``explanation.theme``), so
the Explorer reads the same in the Light and Dark themes.

The Explorer composes widgets and calls the engine; it decides nothing. Every widget is in
``explorer.widgets`` (``explorer.widgets["send"].click()`` drives it headlessly) and carries a
``mk-*`` CSS class for browser tests. Errors raised in callbacks are shown in the widget (and
kept in ``explorer.errors``), never lost. Other threads (the debounce timer, the call-log
poller) only set widget values.
"""

from __future__ import annotations

import functools
import html
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from .checks import reaching_header
from .widget_parts import KeyValueRows, pre as _pre, pretty as _pretty
from .engine import CALL_HEADER
from .model import MockRequest
from .options import MAX_DELAY_MS
from .report import calls_frame, explain_request, ranking_frame
from .views import explanation_html, theme, verdict

if TYPE_CHECKING:  # pragma: no cover
    import httpx
    import pandas as pd

    from .mock import MockServer

__all__ = ["Explorer", "KeyValueRows"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
NONE = "(none)"
EXPLORER_CSS = ("<style>.mk-explorer .lm-TabBar-tab, .mk-explorer .lm-TabBar-tabLabel, "
                ".mk-explorer .jupyter-widget-Collapse-header, .mk-explorer .jupyter-widget-Collapse-header * "
                "{color: var(--jp-ui-font-color1, inherit) !important}</style>")
"""Inactive tab and accordion titles in the theme's main text colour (ipywidgets draws them in
the secondary one, 4.4:1 against their background in JupyterLab Light: below WCAG's 4.5:1)."""
_e = html.escape


class Explorer:
    """Widgets over a running ``MockServer`` (see the module docstring).

    ``debounce``: seconds to wait after an edit before re-ranking (0: at once); ``poll``:
    seconds between call-log refreshes (0: no poller). ``live_frame`` / ``last_frame`` hold the
    ``Explanation`` shown for the builder's request / the last response; ``hint`` the note
    about reaching an example; ``errors`` every callback error shown.
    """

    TABLE_ROWS = 15

    def __init__(self, server: "MockServer", *, debounce: float = 0.3, poll: float = 1.0) -> None:
        self.server = server
        self.debounce = debounce
        self.errors: list[str] = []
        self.hint = ""
        self.last_response: httpx.Response | None = None
        self.last_frame: pd.DataFrame | None = None
        self.live_frame: pd.DataFrame | None = None
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self._stop = threading.Event()
        self._loading = False
        self.widgets: dict[str, w.Widget] = {}
        self._build()
        self.refresh_examples()
        self.refresh_calls()
        self.update_live()
        self._poller = threading.Thread(target=self._poll_calls, args=(poll,), daemon=True, name="mockkit-explorer")
        if poll > 0:
            self._poller.start()

    # ------------------------------------------------------------------------------- layout

    def _widget(self, name: str, widget: w.Widget) -> w.Widget:
        widget.add_class(f"mk-{name.replace('_', '-')}")
        self.widgets[name] = widget
        return widget

    def _build(self) -> None:
        engine = self.server.engine
        targets = engine.index.targets
        methods = sorted({t.method for t in targets}, key=lambda m: -sum(t.method == m for t in targets))
        methods += [m for m in METHODS if m not in methods]
        paths = list(dict.fromkeys(t.path for t in targets))
        names = sorted({t.example.name for t in targets})
        codes = sorted({str(t.code) for t in targets})

        def full(**more: str) -> w.Layout:  # stretch across the parent (margins included: no overflow)
            return w.Layout(width="auto", min_width="0", **more)

        wide = {"description_width": "initial"}

        W = self._widget
        W("header", w.HTML())
        W("filter", w.Text(placeholder="filter examples: name, path, status, folder", layout=full()))
        W("examples", w.Select(options=[], rows=12, layout=full(height="16em")))
        W("example_detail", w.HTML(layout=full()))
        W("use_example", w.Button(description="use as request", icon="arrow-right",
                                  tooltip="load this example's saved request (and any header it needs) into the builder"))
        W("method", w.Dropdown(options=methods, value=methods[0] if methods else "GET", layout=w.Layout(width="7.5em")))
        W("path", w.Combobox(options=paths, placeholder="/path?query", ensure_option=False,
                             value=paths[0] if paths else "/", layout=w.Layout(flex="1 1 auto", width="auto", min_width="8em")))
        self.query = KeyValueRows("query", self._changed)
        self.headers = KeyValueRows("header", self._changed)
        self.widgets["query"], self.widgets["headers"] = self.query.box, self.headers.box
        W("response_name", w.Dropdown(options=[NONE, *names], description="x-mock-response-name", style=wide))
        W("response_code", w.Dropdown(options=[NONE, *codes], description="x-mock-response-code", style=wide))
        W("match_body", w.Dropdown(options=[("mock default", NONE), ("true", "true"), ("false", "false")], description="x-mock-match-request-body", style=wide))
        W("match_headers", w.Text(placeholder="names, comma-separated", description="x-mock-match-request-headers", style=wide))
        W("delay", w.BoundedIntText(value=0, min=0, max=MAX_DELAY_MS, step=100, description="x-mock-response-delay (ms)", style=wide))
        W("body", w.Textarea(placeholder="request body", layout=full(height="6em")))
        W("send", w.Button(description="Send", icon="paper-plane", layout=w.Layout(width="7em", flex="0 0 auto"),
                           style={"button_color": "var(--jp-brand-color0, #0d47a1)", "text_color": "#fff"}))
        W("summary", w.HTML(layout=full()))
        W("live", w.HTML(layout=full()))
        W("result", w.HTML(layout=full()))
        W("calls", w.Select(options=[], rows=12, layout=full(height="16em")))
        W("call_detail", w.HTML(layout=full()))
        W("refresh_calls", w.Button(description="refresh", icon="refresh"))
        W("errors", w.HTML(layout=full()))

        self.widgets["filter"].observe(self._guard(lambda _: self.refresh_examples()), "value")
        self.widgets["examples"].observe(self._guard(lambda _: self.show_example()), "value")
        self.widgets["use_example"].on_click(self._guard(lambda _: self.use_example()))
        self.widgets["send"].on_click(self._guard(lambda _: self.send()))
        self.widgets["calls"].observe(self._guard(lambda _: self.show_call()), "value")
        self.widgets["refresh_calls"].on_click(self._guard(lambda _: self.refresh_calls()))
        for name in ("method", "path", "response_name", "response_code", "match_body", "match_headers", "delay", "body"):
            self.widgets[name].observe(lambda _: self._changed(), "value")

        controls = w.VBox([self.widgets[n] for n in ("response_name", "response_code", "match_body", "match_headers", "delay")])
        pane = {"flex": "1 1 0%", "padding": "0 6px 0 0"}
        builder = w.VBox([
            w.HTML("<b>Request</b>"),
            w.HBox([self.widgets["method"], self.widgets["path"], self.widgets["send"]], layout=full()),
            w.HTML("query parameters"), self.query.box,
            w.HTML("headers"), self.headers.box,
            w.Accordion(children=[controls], titles=("x-mock-* control headers",)),
            self.widgets["body"],
        ], layout=full(**pane))
        examples = w.VBox([w.HTML("<b>Examples</b>"), self.widgets["filter"], self.widgets["examples"],
                           self.widgets["use_example"], self.widgets["example_detail"]], layout=full(**pane))
        explore = w.VBox([w.HBox([examples, builder], layout=full()), self.widgets["summary"], self.widgets["live"],
                          w.HTML("<b>Last response</b>"), self.widgets["result"]], layout=full())
        calls = w.VBox([w.HBox([w.HTML("<b>Call log</b> (newest first; calls from anywhere)"), self.widgets["refresh_calls"]]),
                        self.widgets["calls"], self.widgets["call_detail"]], layout=full())
        tabs = w.Tab(children=[explore, calls], titles=("Explore", "Call log"), layout=full())
        self.widgets["tabs"] = tabs
        self._show_state()
        self.ui = w.VBox([self.widgets["header"], self.widgets["errors"], tabs], layout=full())
        self.ui.add_class("mk-explorer")

    def _show_state(self) -> None:
        engine = self.server.engine
        state = (f"<code>{_e(self.server.url)}</code>" if self.server.running else
                 "<b class='mk-stopped'>server stopped</b>: Send cannot reach it; <code>mock.start()</code> "
                 "(or re-running <code>mockkit.serve(...)</code>) starts it again")
        self.widgets["header"].value = (f"{EXPLORER_CSS}<b>mockkit Explorer</b> · "
                                        f"{_e(engine.collection.name)} · {state}")

    # ------------------------------------------------------------------------------ display

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)

    def close(self) -> None:
        """Stop the call-log poller and any pending live update."""
        self._stop.set()
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()

    # ------------------------------------------------------------------------------- errors

    def _guard(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as exc:  # shown in the widget: callback errors vanish otherwise
                self._report(exc)
                return None

        return run

    def _report(self, exc: Exception) -> None:
        message = f"{type(exc).__name__}: {exc}"
        self.errors.append(message)
        self.widgets["errors"].value = (
            f"<div class='mk-error' style='border:1px solid var(--jp-error-color1, #d32f2f);"
            f"border-left-width:4px;padding:4px 8px'>⚠ {_e(message)}</div>"
        )
        self._show_state()

    # ----------------------------------------------------------------------------- examples

    def refresh_examples(self) -> None:
        needle = self.widgets["filter"].value.strip().lower()
        options = []
        for t in self.server.engine.index.targets:
            e = t.example
            place = " › ".join([*e.folder, e.request_name])
            label = f"[{t.method}] {t.path} · {e.response.code} · {e.name}   ({place})"
            if not needle or needle in label.lower():
                options.append((label, e.position))
        self.widgets["examples"].options = options

    def _target(self, position: int) -> Any:
        return next(t for t in self.server.engine.index.targets if t.example.position == position)

    def show_example(self) -> None:
        position = self.widgets["examples"].value
        if position is None:
            self.widgets["example_detail"].value = ""
            return
        t = self._target(position)
        e, saved = t.example, t.as_request()
        request = f"{saved.method} {saved.target}\n" + "".join(f"{k}: {v}\n" for k, v in saved.headers)
        if saved.body:
            request += "\n" + _pretty(saved.body.decode("utf-8", "replace"))
        response = f"{e.response.code} {e.response.status}\n" + "".join(f"{k}: {v}\n" for k, v in e.response.headers)
        response += "\n" + _pretty(e.response.body)
        self.widgets["example_detail"].value = (
            f"<div class='mk-example'><b>{_e(e.name)}</b> <small>id {_e(e.id or '—')} · {_e(e.location or e.json_path)}</small>"
            f"<div>saved request</div>{_pre(request, '8em')}<div>saved response</div>{_pre(response, '12em')}</div>"
        )

    def use_example(self) -> None:
        """Load the selected example's own request into the builder (``{{wildcard}}`` segments
        filled with a sample value); when that request gets another example, also fill in the
        control header that reaches this one (``checks.reaching_header``), and say so."""
        position = self.widgets["examples"].value
        if position is None:
            raise ValueError("select an example first")
        target = self._target(position)
        request = target.as_request(sample_wildcards=True)  # {{wildcards}} get a value a client would send
        engine = self.server.engine
        self._loading = True
        try:
            if request.method not in self.widgets["method"].options:
                self.widgets["method"].options = [*self.widgets["method"].options, request.method]
            self.widgets["method"].value = request.method
            self.widgets["path"].value = request.path
            self.query.set(list(request.query))
            self.headers.set([(k, v) for k, v in request.headers])
            self.widgets["body"].value = request.body.decode("utf-8", "replace")
            for name in ("response_name", "response_code"):
                self.widgets[name].value = NONE
            self.hint = ""
            winner = engine.rank(request).winner
            if winner is None or winner.example is not target.example:
                self.hint = self._reach(request, target, winner)
        finally:
            self._loading = False
        self.update_live()

    def _reach(self, request: MockRequest, target: Any, winner: Any) -> str:
        """Fill in the header that reaches ``target`` and return the sentence that says so."""
        name = target.example.name
        other = f"'{winner.example.name}' answers it" if winner is not None else "nothing matches it"
        header = reaching_header(request, target, self.server.engine.index, self.server.engine.options)
        if header is None:
            return (f"'{name}' cannot be reached by its own saved request ({other}), and no control header "
                    "reaches it: give it a request of its own (a query parameter, header or body) or an id.")
        key, value = header
        if key == "x-mock-response-code":
            self.widgets["response_code"].value = value
        elif key == "x-mock-response-name":
            self.widgets["response_name"].value = value
        else:
            self.headers.add(key, value)
        return f"'{name}' cannot be reached by its own saved request ({other}): added {key}: {value}, which reaches it."

    # ------------------------------------------------------------------------------ request

    def request(self) -> MockRequest:
        """The request the builder describes (control headers included)."""
        target = self.widgets["path"].value.strip() or "/"
        if not target.startswith("/"):
            target = "/" + target
        headers = list(self.headers.items())
        controls = {
            "x-mock-response-name": self.widgets["response_name"].value,
            "x-mock-response-code": self.widgets["response_code"].value,
            "x-mock-match-request-body": self.widgets["match_body"].value,
        }
        headers += [(k, v) for k, v in controls.items() if v != NONE]
        if self.widgets["match_headers"].value.strip():
            headers.append(("x-mock-match-request-headers", self.widgets["match_headers"].value.strip()))
        if self.widgets["delay"].value:
            headers.append(("x-mock-response-delay", str(self.widgets["delay"].value)))
        body = self.widgets["body"].value
        return MockRequest.from_target(self.widgets["method"].value, target, headers=tuple(headers),
                                       body=body or None, params=tuple(self.query.items()))

    def _changed(self) -> None:
        if self._loading or not hasattr(self, "ui"):
            return
        if self.debounce <= 0:
            self._guard(self.update_live)()
            return
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.debounce, self._guard(self.update_live))
            self._timer.daemon = True
            self._timer.start()

    def update_live(self) -> None:
        """Rank the builder's request without sending it, and show why each example wins or loses."""
        frame = explain_request(self.server.engine, self.request())
        self.live_frame = frame
        self._show(frame)

    def _show(self, frame: "pd.DataFrame") -> None:
        hint = (f"<div class='mk-hint' style='border-left:4px solid {theme()['warn']};padding:2px 8px;"
                f"margin-top:4px'>{_e(self.hint)}</div>") if self.hint else ""
        self.widgets["summary"].value = f"<div class='mk-verdict'><b>{_e(verdict(frame))}</b></div>{hint}"
        self.widgets["live"].value = self._table(frame)

    @classmethod
    def _table(cls, frame: "pd.DataFrame", rows: int | None = None, *, verdict: bool = False) -> str:
        """The ranking as the readable view (bars, full reasons; the verdict line with
        ``verdict``), ``TABLE_ROWS`` rows."""
        return f"<div class='mk-table'>{explanation_html(frame, rows or cls.TABLE_ROWS, with_verdict=verdict)}</div>"

    def send(self) -> "httpx.Response":
        """Fire the builder's request at the running server and show the answer and its ranking."""
        request = self.request()
        started = time.perf_counter()
        response = self.server.request(request.method, request.path, params=list(request.query),
                                       headers=list(request.headers), content=request.body or None)
        elapsed = (time.perf_counter() - started) * 1000
        self.last_response = response
        headers = "".join(f"{k}: {v}\n" for k, v in response.headers.items())
        self.widgets["result"].value = (
            f"<div class='mk-response'><b class='mk-status'>{response.status_code} {_e(response.reason_phrase)}</b>"
            f" · {elapsed:.1f} ms · call {_e(response.headers.get(CALL_HEADER, '—'))}"
            f"{_pre(headers)}{_pre(_pretty(response.text))}</div>"
        )
        if response.headers.get(CALL_HEADER):
            self.last_frame = self.server.explain(response)
            self._show(self.last_frame)
        self.refresh_calls()
        return response

    # ----------------------------------------------------------------------------- call log

    def refresh_calls(self) -> None:
        frame = calls_frame(self.server.engine.journal.snapshot())
        options = []
        for _, row in frame.iloc[::-1].iterrows():
            score = "" if row["score"] != row["score"] else f" (score {row['score']:g})"
            query = f"?{row['query']}" if row["query"] else ""
            answer = f"'{row['example']}'" if row["example"] else row["error"]  # quoted: a name may read as a status
            label = (f"{row['call']}  {row['time']:%H:%M:%S}  {row['method']} {row['path']}{query} → "
                     f"{row['status']} {answer}{score}")
            if row["forwarded"]:  # issue 16: forwarded (⇢) and recorded (●) calls are marked
                label = (f"{'●' if row['recorded_as'] else '⇢'} {label.rstrip()}, forwarded"
                         + (f", recorded as '{row['recorded_as']}'" if row["recorded_as"] else ""))
            options.append((label, row["call"]))
        current = self.widgets["calls"].value
        self.widgets["calls"].options = options
        if current in {value for _, value in options}:
            self.widgets["calls"].value = current

    def show_call(self) -> None:
        call_id = self.widgets["calls"].value
        if not call_id:
            self.widgets["call_detail"].value = ""
            return
        ranking = self.server.engine.replay(call_id)
        if ranking is None:
            self.widgets["call_detail"].value = "<i>this call is no longer in the call log</i>"
            return
        frame = ranking_frame(ranking, self.server.engine.problems_for)
        self.widgets["call_detail"].value = self._table(frame, verdict=True)  # what answered: an example, or upstream

    def _poll_calls(self, interval: float) -> None:
        seen: tuple[int, str] | None = None
        while not self._stop.wait(interval):
            if not self.server.running:
                self._guard(self._show_state)()
                return
            calls = self.server.engine.journal.snapshot()
            marker = calls[-1].id if calls else ""
            if (len(calls), marker) != seen:
                seen = (len(calls), marker)
                self._guard(self.refresh_calls)()
