"""The ``mockkit`` command: serve, explain, check.

    mockkit serve [FILE] [--env FILE|NAME] [--host 127.0.0.1] [--port 3000] [--workers N] ...
    mockkit explain FILE METHOD PATH [-H 'k: v'] [-d BODY] [--env FILE|NAME] [--rows N | --all]
    mockkit check FILE [--env FILE|NAME]
    mockkit convert SOURCE --to v3|v2.1 OUT
    mockkit import-har CAPTURE.har --to api.postman_collection.json|FOLDER [--host HOST] [--redact NAMES]

FILE is a v2.0/v2.1 JSON export or a v3 collection folder. ``serve`` with no FILE, in a
repository with ``postman/collections/``, serves the collection there; ``--env NAME`` then finds
``postman/environments/NAME.environment.yaml``.

User mistakes print one clear line on stderr and exit non-zero (2 for usage and unreadable
files, 1 for ``check`` findings); never a traceback.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import MISSING, fields
from typing import Any, TextIO

from . import __version__
from .engine import MockEngine, Served
from .errors import CollectionError, ConfigError, MockkitError
from .formats.v2read import COLLECTION_AS_ENV, ENV_AS_COLLECTION
from .model import MockRequest
from .options import HUB_MAX_BODY_SIZE, MockOptions
from .terminal import printable

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockkit", description="Mock an API from a Postman collection.")
    parser.add_argument("--version", action="version", version=f"mockkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve a collection (default: the one in ./postman/collections, "
                           "else the bundled demo)")
    serve.add_argument("file", nargs="?", help="Postman collection: v2.0/v2.1 JSON file or v3 folder "
                       "(default: the one collection in postman/collections/ of this repository)")
    serve.add_argument("--env", help="Postman environment: a file, or NAME for "
                       "postman/environments/NAME.environment.yaml")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000, help="port (default 3000; 0 picks a free one)")
    serve.add_argument("--watch", action="store_true",
                       help="reload when the file (or any file of a v3 folder) changes")
    serve.add_argument("--workers", type=int, default=1, help="processes sharing the port (default 1)")
    serve.add_argument("--quiet", action="store_true", help="do not log one line per call")
    _option_flags(serve)

    explain = sub.add_parser("explain", help="rank every example for one request and say why")
    explain.add_argument("file")
    explain.add_argument("method")
    explain.add_argument("path", help="request path with query, e.g. '/users?page=2' (or a full URL: its path is used)")
    explain.add_argument("-H", "--header", action="append", default=[], help="'Name: value' (repeatable)")
    explain.add_argument("-d", "--data", help="request body")
    explain.add_argument("--env", help="Postman environment: a file, or NAME in postman/environments/")
    explain.add_argument("--rows", type=int, default=12, metavar="N",
                         help="rows to show (default 12): every example still in the running (up to 30), "
                              "then those dropped last")
    explain.add_argument("--all", action="store_true", help="show every example")
    _option_flags(explain)

    check = sub.add_parser("check", help="list problems that make examples unreachable or wrong")
    check.add_argument("file")
    check.add_argument("--env", help="Postman environment: a file, or NAME in postman/environments/")
    _option_flags(check)

    convert = sub.add_parser("convert", help="write a collection or environment in the other Postman format")
    convert.add_argument("source", help="v2.0/v2.1 JSON file, v3 collection folder, or environment file")
    convert.add_argument("--to", required=True, metavar="FORMAT", help="v3 (a folder tree) or v2.1 (one JSON file)")
    convert.add_argument("out", help="folder to create (--to v3) or file to write (--to v2.1)")
    convert.add_argument("--force", action="store_true", help="replace an existing output file")

    har = sub.add_parser("import-har", help="turn a browser's HAR export into a collection with saved examples")
    har.add_argument("har", help="the .har file (browser devtools: Network → Export HAR)")
    har.add_argument("--to", required=True, metavar="OUT",
                     help="a .json file (a v2.1 collection) or a new folder (a v3 collection tree)")
    har.add_argument("--host", action="append", default=[], metavar="HOST",
                     help="keep only calls to this host (repeatable; default: every host)")
    har.add_argument("--redact", default="", metavar="NAMES", help="more header, query and JSON field names whose "
                     "values are replaced by [redacted] (Authorization, Cookie, Set-Cookie, x-api-key always are)")
    har.add_argument("--name", help="the collection's name (default: the HAR file's name)")
    har.add_argument("--force", action="store_true", help="replace an existing .json file")

    # --- hub (issue 5) -------------------------------------------------------------------
    hub = sub.add_parser("hub", help="host many mocks behind a Postman-shaped management API")
    hub.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    hub.add_argument("--port", type=int, default=3100, help="port (default 3100; 0 picks a free one)")
    hub.add_argument("--data", help="state folder (default: $XDG_DATA_HOME/mockkit/hub)")
    hub.add_argument("--api-key", help="key for admin calls and private mocks (default: generated once)")
    hub.add_argument("--max-body", type=int, default=HUB_MAX_BODY_SIZE, metavar="BYTES",
                     help="larger request bodies (uploads, mock calls) get a 413 JSON error (default 64 MiB)")
    _option_flags(hub, per_mock=True)
    # --- end hub -------------------------------------------------------------------------
    return parser


def _option_flags(parser: argparse.ArgumentParser, *, per_mock: bool = False) -> None:
    """One flag per ``MockOptions`` field (``--match-body``, ``--no-cors``, ``--distance-threshold``...),
    made from the fields' metadata, so an option exists for every command or none. ``per_mock``:
    only the options a hub mock's config can set (the defaults of every mock of the hub)."""
    title = "mock options (defaults for every mock; a mock's config overrides them)" if per_mock else "mock options"
    group = parser.add_argument_group(title)
    for f in fields(MockOptions):
        meta = f.metadata
        if per_mock and not meta["config"]:
            continue
        names = ["--" + f.name.replace("_", "-"), *meta["flags"]]
        default = "" if f.default in (None, (), MISSING) else f" (default {f.default})"
        kwargs: dict[str, Any] = {"dest": f"option_{f.name}", "default": None, "help": meta["help"] + default}
        if isinstance(f.default, bool):
            kwargs["action"] = argparse.BooleanOptionalAction if f.default else "store_true"
            kwargs["help"] = meta["help"]
        else:
            kwargs["metavar"] = meta["metavar"]
            kwargs["type"] = meta["arg"]
        group.add_argument(*names, **kwargs)


def _options(args: argparse.Namespace) -> MockOptions:
    """The ``MockOptions`` the command line asks for (flags not given keep their defaults)."""
    given = {name[len("option_"):]: value for name, value in vars(args).items()
             if name.startswith("option_") and value is not None}
    return MockOptions(**given)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "explain":
            return _explain(args)
        if args.command == "hub":
            return _hub(args)
        if args.command == "convert":
            return _convert(args)
        if args.command == "import-har":
            return _import_har(args)
        return _check(args)
    except MockkitError as exc:
        print(f"mockkit: {printable(_for_the_shell(exc, args.command))}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"mockkit: {printable(exc.strerror or exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _for_the_shell(exc: MockkitError, command: str) -> str:
    """An error in the words of the command line: an environment given as the collection (or
    the reverse) names ``--env``."""
    if isinstance(exc, CollectionError) and exc.expected == ENV_AS_COLLECTION:
        return (f"{exc.source}: this is a Postman environment, not a collection: give the collection file "
                f"first and this one with --env (mockkit {command} COLLECTION --env {exc.source})")
    if isinstance(exc, CollectionError) and exc.expected == COLLECTION_AS_ENV:
        return (f"{exc.source}: --env wants a Postman environment, and this is a collection: give it as the "
                f"collection file (mockkit {command} {exc.source} [--env ENVIRONMENT])")
    if isinstance(exc, ConfigError) and exc.option in {f.name for f in fields(MockOptions)}:
        return f"--{exc.option.replace('_', '-')} {exc.problem}"
    return str(exc)


# ------------------------------------------------------------------------------------- serve


def _engine(args: argparse.Namespace) -> MockEngine:
    from .demo import DEMO_COLLECTION

    return MockEngine(args.file or DEMO_COLLECTION, args.env, options=_options(args))


def _log_line(out: TextIO) -> Callable[[MockRequest, Served | None, float], None]:
    """One line per call (``terminal.call_line``: an unmatched call names the nearest example).

    Written and flushed once per turn of the event loop rather than once per line (issue 17: a
    flush per call cost ~7 % of a small answer under load; a write per call ~3 % more): a line
    shows as soon as the loop has answered the calls that were ready together with it."""
    import asyncio

    from .console import call_line

    lines: list[str] = []

    def flush() -> None:
        text = "".join(lines)
        lines.clear()
        try:
            out.write(text)
            out.flush()
        except (OSError, ValueError):  # a closed or broken stdout: the server keeps serving
            pass

    def log(request: MockRequest, served: Served | None, ms: float) -> None:
        lines.append(call_line(request, served, ms) + "\n")
        if len(lines) > 1:
            return  # a flush is due at the end of this turn already
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on a loop: write now
            flush()
            return
        loop.call_soon(flush)

    return log


def _sources(args: argparse.Namespace, *, discover: bool = False) -> None:
    """Issue 14: no FILE -> the one collection in ./postman/collections (else the demo);
    ``--env NAME`` -> postman/environments/NAME.environment.yaml."""
    from .formats.repo import find_environment, find_postman_dir, pick_collection

    postman = find_postman_dir()
    if discover and not args.file and postman is not None:
        args.file = str(pick_collection(postman))
        print(f"mockkit: serving {os.path.relpath(args.file)} (no file given; found in this repository)",
              file=sys.stderr)
    if args.env:
        args.env = find_environment(args.env, postman)


def _serve(args: argparse.Namespace) -> int:
    """``mockkit serve``: the banner, then one line per call until Ctrl-C (``--workers N``:
    ``workers.prefork``)."""
    from .hosting import bind, url_for

    _sources(args, discover=True)
    engine = _engine(args)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not engine.api_key:
        print(f"mockkit: warning: listening on {printable(args.host)} without --api-key: anyone who can reach "
              "this address can call the mock", file=sys.stderr)
    if args.workers < 1:
        raise ConfigError("--workers", "must be at least 1")
    if args.workers > 1 and engine.recorder is not None:
        raise ConfigError("--workers", "must be 1 with --record: each process would record on its own and the "
                                       "saves would overwrite one another")
    sockets = bind(args.host, args.port, reuse_port=args.workers > 1)
    url = url_for(args.host, sockets[0].getsockname()[1])

    def banner() -> None:
        out = sys.stdout
        out.write(f"mockkit {__version__} serving '{printable(engine.collection.name)}' "
                  f"({len(engine.index)} examples) at {url}\n")
        rows: dict[tuple[str, str], list[int]] = {}
        for t in engine.index.targets:
            rows.setdefault((t.method, t.path), []).append(t.example.response.code)
        width = max((len(m) for m, _ in rows), default=3)
        for (method, path), codes in rows.items():
            out.write(f"  {printable(method):<{width}}  {printable(path)}  {' '.join(str(c) for c in codes)}\n")
        if engine.options.proxy is not None:  # issue 16
            out.write(_proxy_banner(engine, args.file))
        out.write("Ctrl-C stops the server.\n")
        out.flush()

    if args.workers > 1:
        from .workers import prefork

        engine.wait_ready()  # no thread may hold a lock across fork
        return prefork(args.workers, args.host, sockets, lambda own: _run(args, own, engine), banner)
    banner()
    return _run(args, sockets, engine)


def _run(args: argparse.Namespace, sockets: list[socket.socket], engine: MockEngine) -> int:
    """Serve in the foreground until SIGINT/SIGTERM (one worker, or the only process)."""
    from .demo import DEMO_COLLECTION
    from .hosting import FileWatcher, run_until_signal, watched_files
    from .server import MockApp

    app = MockApp(engine, None if args.quiet else _log_line(sys.stdout), options=engine.options)
    if engine.recorder is not None:  # issue 16: each recording is a new engine generation
        engine.recorder.subscribe(lambda newer: setattr(app, "engine", newer))

    def reload() -> None:
        nonlocal engine
        app.engine = engine = engine.rebuilt(args.file or DEMO_COLLECTION, args.env)

    def said(error: str | None) -> None:
        if error is None:
            print(f"reloaded {printable(args.file)} ({len(engine.index)} examples)", flush=True)
        else:
            print(f"mockkit: reload failed, still serving the previous version: {printable(error)}", file=sys.stderr,
                  flush=True)

    watcher = FileWatcher(watched_files(args.file, args.env) if args.watch else [], reload, on_reload=said).start()
    try:
        run_until_signal(app, sockets)
    finally:
        watcher.stop()
        _save_on_stop(app.engine if isinstance(app.engine, MockEngine) else engine)
    sys.stdout.write("mockkit stopped.\n")
    return 0


def _proxy_banner(engine: MockEngine, file: str | None) -> str:
    """The banner's lines about forwarding and recording (issue 16)."""
    options = engine.options
    what = {"none": "requests no example matches", "new_episodes": "requests without an example of their own",
            "all": "every request", "once": "requests without an example of their own"
            if engine.recorder is not None and engine.recorder.empty_at_start
            else "nothing (record mode once: the collection has examples)"}[options.record]
    lines = f"Forwarding {what} to {printable(str(options.proxy))}"
    if engine.recorder is None:
        return lines + " (not recorded).\n"
    where = printable(file) if file else "nowhere (the bundled demo is not a file: give a collection file)"
    return lines + f"; recording them (record mode {options.record}); saved to {where} when the server stops.\n"


def _save_on_stop(engine: MockEngine) -> None:
    """Write what was recorded (issue 16): the CLI saves on stop; a failure is said, not raised."""
    recorder = engine.recorder
    if recorder is None or not recorder.pending:
        return
    from .saving import save

    count = recorder.pending
    try:
        written = save(engine)
    except (MockkitError, OSError) as exc:
        print(f"mockkit: {count} recorded example(s) not saved: {printable(str(exc))}", file=sys.stderr)
        return
    backup = next((p for p in written if p.name.endswith(".bak")), None)
    kept = f" (the previous version is {printable(str(backup))})" if backup is not None else ""
    print(f"saved {count} recorded example(s) to {printable(str(recorder.source))}{kept}", flush=True)


# ---------------------------------------------------------------------------------------- hub


def _hub(args: argparse.Namespace) -> int:
    """``mockkit hub``: see ``mockkit.hub`` (state in SQLite under --data)."""
    from .hub.runner import run_hub

    return run_hub(args.data, args.host, args.port, args.api_key, max_body_size=args.max_body, options=_options(args))


# ----------------------------------------------------------------------------- explain, check


def _explain(args: argparse.Namespace) -> int:
    """Print the explanation as a table that fits the terminal (``terminal.print_explanation``);
    ``--all`` shows every example. Exits quietly when the reader goes away (``| head``)."""
    from rich.console import Console

    from .console import print_explanation
    from .report import explain_request

    headers = []
    for raw in args.header:
        name, sep, value = raw.partition(":")
        if not sep or not name.strip():
            raise MockkitError(f"-H wants 'Name: value', got {raw!r}")
        headers.append((name.strip(), value.strip()))
    _sources(args)
    engine = MockEngine(args.file, args.env, options=_options(args))
    request = MockRequest.from_target(args.method, args.path, headers=tuple(headers), body=args.data)
    frame = explain_request(engine, request)
    console = Console(highlight=False, emoji=False, soft_wrap=False)
    try:
        print_explanation(frame, console, rows=None if args.all else max(1, args.rows))
    except BrokenPipeError:
        # the reader stopped (`mockkit explain ... | head`): no traceback, no "Exception ignored"
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 1
    return 0


def _check(args: argparse.Namespace) -> int:
    from .checks import check

    _sources(args)
    engine = MockEngine(args.file, args.env, options=_options(args))
    findings = check(engine)
    for f in findings:
        print(printable(f"{f.severity}: {f.where} ({f.example}): {f.kind}: {f.message}"))
    serious = sum(f.severity in ("error", "warning") for f in findings)
    print(f"{len(engine.index)} examples checked: {serious} problem(s), "
          f"{len(findings) - serious} note(s)")
    return 1 if serious else 0


# ----------------------------------------------------------------------------- import-har


def _import_har(args: argparse.Namespace) -> int:
    """``mockkit import-har capture.har --to api.postman_collection.json`` (``mockkit.har``)."""
    from .har import write_har_collection

    collection, written = write_har_collection(args.har, args.to, hosts=args.host, redact=args.redact,
                                               name=args.name, force=args.force)
    where = args.to if len(written) > 1 else written[0]
    print(f"wrote collection '{printable(collection.name)}' ({len(collection.examples)} examples from "
          f"{printable(args.har)}) to {printable(str(where))}")
    return 0


# ------------------------------------------------------------------------------------ convert


def _convert(args: argparse.Namespace) -> int:
    """``mockkit convert SOURCE --to v3 DIR | --to v2.1 FILE`` (see ``mockkit.formats.convert``)."""
    from .formats.convert import convert, load_any
    from .model import Collection

    item = load_any(args.source)
    written = convert(item, args.to, args.out, force=args.force)
    what = (f"collection '{item.name}' ({len(item.examples)} examples)" if isinstance(item, Collection)
            else f"environment '{item.name}' ({len(item.variables)} values)")
    where = args.out if len(written) > 1 else written[0]
    print(f"wrote {what} to {where} ({len(written)} file{'s' if len(written) != 1 else ''})")
    return 0
