"""Small pieces of the Explorer: editable key/value rows and preformatted text panels."""

from __future__ import annotations

import html
import json
from collections.abc import Callable

import ipywidgets as w

from . import safejson
from .views import theme

__all__ = ["KeyValueRows", "pre", "pretty"]
_e = html.escape


def pretty(text: str, limit: int = 20_000) -> str:
    """JSON indented (other text as is), cut at ``limit`` characters with a note saying so."""
    try:
        text = json.dumps(safejson.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        pass
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit:,} more characters)"


def pre(text: str, height: str = "22em") -> str:
    """``text`` escaped in a themed, scrolling, wrapping ``<pre>`` at most ``height`` tall."""
    return (f"<pre class='mk-pre' style='max-height:{height};overflow:auto;margin:0;font-size:12px;"
            f"line-height:1.35;background:{theme()['code']};color:var(--jp-content-font-color1, inherit);"
            f"padding:4px;white-space:pre-wrap;overflow-wrap:anywhere'>{_e(text)}</pre>")


class KeyValueRows:
    """Editable key/value rows (headers, query parameters) with add and remove buttons."""

    def __init__(self, name: str, on_change: Callable[[], None]) -> None:
        self.name = name
        self._on_change = on_change
        self.rows: list[tuple[w.Text, w.Text, w.Button]] = []
        self.add_button = w.Button(description=f"+ {name}", layout=w.Layout(width="auto"))
        self.add_button.add_class(f"mk-add-{name}")
        self.add_button.on_click(lambda _: self.add())
        self.box = w.VBox([self.add_button])

    def add(self, key: str = "", value: str = "") -> None:
        k = w.Text(value=key, placeholder="name", layout=w.Layout(width="auto", flex="2 1 0%", min_width="0"))
        v = w.Text(value=value, placeholder="value", layout=w.Layout(width="auto", flex="3 1 0%", min_width="0"))
        remove = w.Button(description="✕", layout=w.Layout(width="2.5em"), tooltip=f"remove this {self.name}")
        k.add_class(f"mk-{self.name}-key")
        v.add_class(f"mk-{self.name}-value")
        row = (k, v, remove)
        remove.on_click(lambda _: self.remove(row))
        for field in (k, v):
            field.observe(lambda _: self._on_change(), "value")
        self.rows.append(row)
        self._render()

    def remove(self, row: tuple[w.Text, w.Text, w.Button]) -> None:
        if row in self.rows:
            self.rows.remove(row)
            self._render()

    def clear(self) -> None:
        self.rows.clear()
        self._render()

    def set(self, pairs: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> None:
        self.rows.clear()
        for key, value in pairs:
            self.add(key, value)
        self._render()

    def items(self) -> list[tuple[str, str]]:
        return [(k.value.strip(), v.value) for k, v, _ in self.rows if k.value.strip()]

    def _render(self) -> None:
        self.box.children = [w.HBox(list(row)) for row in self.rows] + [self.add_button]
        self._on_change()
