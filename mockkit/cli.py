"""The ``mockkit`` command: serve, explain, check.

    mockkit serve [FILE] [--env FILE|NAME] [--host 127.0.0.1] [--port 3000] [--workers N] ...
    mockkit explain FILE METHOD PATH [-H 'k: v'] [-d BODY] [--env FILE|NAME] [--rows N | --all]
    mockkit check FILE [--env FILE|NAME]
    mockkit convert SOURCE --to v3|v2.1 OUT

FILE is a v2.0/v2.1 JSON export or a v3 collection folder. ``serve`` with no FILE, in a
repository with ``postman/collections/``, serves the collection there; ``--env NAME`` then finds
``postman/environments/NAME.environment.yaml``.

User mistakes print one clear line on stderr and exit non-zero (2 for usage and unreadable
files, 1 for ``check`` findings); never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from . import __version__
from .collection import COLLECTION_AS_ENV, ENV_AS_COLLECTION, file_stamps
from .engine import DELAY_PRESETS, MockEngine, Served, parse_delay
from .errors import CollectionError, MockkitError
from .journal import Journal
from .matching import MatchOptions
from .model import MockRequest
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
    serve.add_argument("--delay", help="delay every answer: milliseconds, or 2G (300 ms) / 3G (100 ms)")
    serve.add_argument("--seed", type=int, help="seed for dynamic variables (repeatable responses)")
    serve.add_argument("--api-key", help="make the mock private: calls need this x-api-key header")
    serve.add_argument("--match-body", action="store_true", help="drop examples whose saved body differs")
    serve.add_argument("--match-headers", default="", help="comma-separated header names to match")
    serve.add_argument("--no-cors", action="store_true", help="do not add CORS headers")
    serve.add_argument("--colon-wildcards", action="store_true",
                       help="treat :name path segments that have no value as wildcards")
    serve.add_argument("--watch", action="store_true",
                       help="reload when the file (or any file of a v3 folder) changes")
    serve.add_argument("--workers", type=int, default=1, help="processes sharing the port (default 1)")
    serve.add_argument("--quiet", action="store_true", help="do not log one line per call")
    serve.add_argument("--max-body", type=int, default=10 * 1024 * 1024, metavar="BYTES",
                       help="larger request bodies get a 413 JSON error (default 10 MiB)")

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

    check = sub.add_parser("check", help="list problems that make examples unreachable or wrong")
    check.add_argument("file")
    check.add_argument("--env", help="Postman environment: a file, or NAME in postman/environments/")
    check.add_argument("--match-body", action="store_true", help="check as served with --match-body")
    check.add_argument("--match-headers", default="", help="check as served with these header names matched")

    convert = sub.add_parser("convert", help="write a collection or environment in the other Postman format")
    convert.add_argument("source", help="v2.0/v2.1 JSON file, v3 collection folder, or environment file")
    convert.add_argument("--to", required=True, metavar="FORMAT", help="v3 (a folder tree) or v2.1 (one JSON file)")
    convert.add_argument("out", help="folder to create (--to v3) or file to write (--to v2.1)")
    convert.add_argument("--force", action="store_true", help="replace an existing output file")

    # --- hub (issue 5) -------------------------------------------------------------------
    hub = sub.add_parser("hub", help="host many mocks behind a Postman-shaped management API")
    hub.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    hub.add_argument("--port", type=int, default=3100, help="port (default 3100; 0 picks a free one)")
    hub.add_argument("--data", help="state folder (default: $XDG_DATA_HOME/mockkit/hub)")
    hub.add_argument("--api-key", help="key for admin calls and private mocks (default: generated once)")
    hub.add_argument("--max-body", type=int, default=64 * 1024 * 1024, metavar="BYTES",
                     help="larger request bodies (uploads, mock calls) get a 413 JSON error (default 64 MiB)")
    # --- end hub -------------------------------------------------------------------------
    return parser


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
    return str(exc)


# ------------------------------------------------------------------------------------- serve


def _engine(args: argparse.Namespace, journal: Journal | None = None) -> MockEngine:
    from .demo import DEMO_COLLECTION

    if args.delay is not None and parse_delay(args.delay) is None:
        raise MockkitError(f"--delay must be 1..180000 ms or one of {', '.join(sorted(DELAY_PRESETS))}")
    options = MatchOptions(match_body=args.match_body, match_headers=tuple(args.match_headers.split(",")),
                           colon_wildcards=args.colon_wildcards)
    return MockEngine(
        args.file or DEMO_COLLECTION, args.env, options=options, seed=args.seed, delay=args.delay,
        api_key=args.api_key, cors=not args.no_cors, journal=journal,
    )


def _log_line(out: TextIO) -> object:
    """One line per call (``terminal.call_line``: an unmatched call names the nearest example)."""
    from .console import call_line

    def log(request: MockRequest, served: Served | None, ms: float) -> None:
        out.write(call_line(request, served, ms) + "\n")
        out.flush()

    return log


def _sources(args: argparse.Namespace, *, discover: bool = False) -> None:
    """Issue 14: no FILE -> the one collection in ./postman/collections (else the demo);
    ``--env NAME`` -> postman/environments/NAME.environment.yaml."""
    from .repo import find_environment, find_postman_dir, pick_collection

    postman = find_postman_dir()
    if discover and not args.file and postman is not None:
        args.file = str(pick_collection(postman))
        print(f"mockkit: serving {os.path.relpath(args.file)} (no file given; found in this repository)",
              file=sys.stderr)
    if args.env:
        args.env = find_environment(args.env, postman)


def _serve(args: argparse.Namespace) -> int:
    from tornado.netutil import bind_sockets

    _sources(args, discover=True)
    engine = _engine(args)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.api_key:
        print(f"mockkit: warning: listening on {printable(args.host)} without --api-key: anyone who can reach "
              "this address can call the mock", file=sys.stderr)
    if args.workers < 1:
        raise MockkitError("--workers must be at least 1")
    try:
        sockets = bind_sockets(args.port, args.host, reuse_port=args.workers > 1)
    except OSError as exc:
        raise MockkitError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    port = sockets[0].getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host

    def banner() -> None:
        out = sys.stdout
        out.write(f"mockkit {__version__} serving '{printable(engine.collection.name)}' "
                  f"({len(engine.index)} examples) at http://{host}:{port}\n")
        rows = {}
        for t in engine.index.targets:
            rows.setdefault((t.method, t.path), []).append(t.example.response.code)
        width = max((len(m) for m, _ in rows), default=3)
        for (method, path), codes in rows.items():
            out.write(f"  {printable(method):<{width}}  {printable(path)}  {' '.join(str(c) for c in codes)}\n")
        out.write("Ctrl-C stops the server.\n")
        out.flush()

    if args.workers > 1:
        return _prefork(args, sockets, engine, banner)
    banner()
    return _run(args, sockets, engine)


def _run(args: argparse.Namespace, sockets: list, engine: MockEngine) -> int:
    from .server import MockApp, make_http_server

    app = MockApp(engine, None if args.quiet else _log_line(sys.stdout), max_body_size=args.max_body)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        server = make_http_server(app)
        server.add_sockets(sockets)
        watcher = asyncio.create_task(_watch(args, app)) if args.watch and args.file else None
        await stop.wait()
        server.stop()
        if watcher:
            watcher.cancel()
        try:
            await asyncio.wait_for(server.close_all_connections(), 5)
        except asyncio.TimeoutError:
            pass

    asyncio.run(run())
    sys.stdout.write("mockkit stopped.\n")
    return 0


async def _watch(args: argparse.Namespace, app: object) -> None:
    files = [f for f in (args.file, args.env) if f]
    last = file_stamps(files)
    while True:
        await asyncio.sleep(0.25)
        now = file_stamps(files)
        if now == last:
            continue
        last = now
        try:
            engine = await asyncio.to_thread(_engine, args, app.engine.journal)  # type: ignore[attr-defined]
            app.engine = engine  # type: ignore[attr-defined]
            print(f"reloaded {printable(args.file)} ({len(engine.index)} examples)", flush=True)
        except MockkitError as exc:
            print(f"mockkit: reload failed, still serving the previous version: {printable(exc)}", file=sys.stderr,
                  flush=True)


RESTART_LIMIT = 5
"""More worker restarts than this within ``RESTART_WINDOW`` seconds: the workers keep dying (a
bug, a bad collection, no memory), so ``--workers`` stops them all and exits 1 with a message."""
RESTART_WINDOW = 60.0
STOPPED_GRACE = 2.0
"""A worker stopped (SIGSTOP) this long, while the parent runs, still holds its share of the
connections the kernel hands out; it is killed and replaced."""


def _prefork(args: argparse.Namespace, sockets: list, engine: MockEngine, banner: Callable[[], None]) -> int:
    """N processes, each accepting on its own SO_REUSEPORT socket (the kernel spreads the
    connections; on one shared socket the first worker to wake accepts them all); the parent
    prints the banner once every worker listens, then supervises them: a worker that exits or
    stays stopped is reported on stderr and replaced; more than ``RESTART_LIMIT`` restarts in
    ``RESTART_WINDOW`` seconds end the server (exit 1). Ctrl-C/SIGTERM stop them all (exit 0)."""
    import select

    from tornado.netutil import bind_sockets

    engine.wait_ready()  # no thread may hold a lock across fork
    ports = [sock.getsockname()[1] for sock in sockets]

    def spawn(ready_w: int | None) -> int:
        pid = os.fork()
        if pid != 0:
            return pid
        for sig in (signal.SIGINT, signal.SIGTERM):  # not the parent's handlers; _run sets its own
            signal.signal(sig, signal.SIG_DFL)
        _die_with_parent()
        code = 1
        try:
            own = [s for port in ports for s in bind_sockets(port, args.host, reuse_port=True)]
            for sock in sockets:
                sock.close()
            if ready_w is not None:
                os.write(ready_w, b".")
                os.close(ready_w)
            code = _run(args, own, engine)
        except BaseException as exc:  # reported by the parent too; say why here
            print(f"mockkit: worker {os.getpid()} failed: {printable(exc)}", file=sys.stderr, flush=True)
        finally:
            os._exit(code)

    ready_r, ready_w = os.pipe()
    workers = {spawn(ready_w): i + 1 for i in range(args.workers)}
    os.close(ready_w)
    got, deadline = 0, time.monotonic() + 10
    while got < len(workers) and time.monotonic() < deadline:  # bounded wait for the workers
        if select.select([ready_r], [], [], max(0.0, deadline - time.monotonic()))[0]:
            chunk = os.read(ready_r, 64)
            if not chunk:
                break  # every worker closed its end (some failed)
            got += len(chunk)
    os.close(ready_r)
    for s in sockets:  # nobody connected yet: the banner (the address) is printed only now
        s.close()
    if got < len(workers):
        print(f"mockkit: only {got} of {len(workers)} workers started", file=sys.stderr, flush=True)
    banner()
    return _supervise(workers, spawn)


def _supervise(workers: dict[int, int], spawn: Callable[[int | None], int]) -> int:
    """Wait for the workers; replace the ones that die or stay stopped (see ``_prefork``)."""
    stopping = False
    gave_up = False

    def stop_all(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in workers:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    restarts: list[float] = []
    stopped: dict[int, float] = {}
    killed: set[int] = set()
    last_poll = time.monotonic()
    while workers:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.2)
            now = time.monotonic()
            if now - last_poll > 1.0:
                stopped.clear()  # the parent itself was stopped (Ctrl-Z): start counting again
            last_poll = now
            if not stopping:
                for victim in _stopped_too_long(workers, stopped, now):
                    print(f"mockkit: worker {workers[victim]} (pid {victim}) has been stopped for "
                          f"{STOPPED_GRACE:g} s and holds its share of connections; replacing it",
                          file=sys.stderr, flush=True)
                    killed.add(victim)
                    os.kill(victim, signal.SIGKILL)
            continue
        index = workers.pop(pid)
        stopped.pop(pid, None)
        if stopping:
            continue
        code = os.waitstatus_to_exitcode(status)
        how = "was replaced" if pid in killed else (
            f"exited with code {code}" if code >= 0 else f"was killed by {signal.Signals(-code).name}")
        now = time.monotonic()
        restarts = [t for t in restarts if now - t < RESTART_WINDOW] + [now]
        if len(restarts) > RESTART_LIMIT:
            print(f"mockkit: worker {index} (pid {pid}) {how}; workers keep dying ({len(restarts)} restarts "
                  f"in {RESTART_WINDOW:g} s), stopping", file=sys.stderr, flush=True)
            gave_up = True
            stop_all(signal.SIGTERM, None)
            continue
        new = spawn(None)
        workers[new] = index
        if pid not in killed:
            print(f"mockkit: worker {index} (pid {pid}) {how}; started pid {new} in its place",
                  file=sys.stderr, flush=True)
    return 1 if gave_up else 0


def _stopped_too_long(workers: dict[int, int], stopped: dict[int, float], now: float) -> list[int]:
    """Workers in state T (stopped) for ``STOPPED_GRACE`` seconds of the parent's running time."""
    out = []
    for pid in workers:
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                state = stat.read().rpartition(b")")[2].split()[0]
        except (OSError, IndexError):  # no /proc (not Linux), or the worker just exited
            continue
        if state not in (b"T", b"t"):
            stopped.pop(pid, None)
        elif now - stopped.setdefault(pid, now) >= STOPPED_GRACE:
            out.append(pid)
    return out


def _die_with_parent() -> None:
    """Linux: a worker gets SIGTERM if the parent dies (so no orphan keeps the port)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


# ---------------------------------------------------------------------------------------- hub


def _hub(args: argparse.Namespace) -> int:
    """``mockkit hub``: see ``mockkit.hub`` (state in SQLite under --data)."""
    from .hub import run_hub

    return run_hub(args.data, args.host, args.port, args.api_key, max_body_size=args.max_body)


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
    engine = MockEngine(args.file, args.env)
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
    options = MatchOptions(match_body=args.match_body, match_headers=tuple(args.match_headers.split(",")))
    engine = MockEngine(args.file, args.env, options=options)
    findings = check(engine)
    for f in findings:
        print(printable(f"{f.severity}: {f.where} ({f.example}): {f.kind}: {f.message}"))
    serious = sum(f.severity in ("error", "warning") for f in findings)
    print(f"{len(engine.index)} examples checked: {serious} problem(s), "
          f"{len(findings) - serious} note(s)")
    return 1 if serious else 0


# ------------------------------------------------------------------------------------ convert


def _convert(args: argparse.Namespace) -> int:
    """``mockkit convert SOURCE --to v3 DIR | --to v2.1 FILE`` (see ``mockkit.convert``)."""
    from .convert import convert, load_any
    from .model import Collection

    item = load_any(args.source)
    written = convert(item, args.to, args.out, force=args.force)
    what = (f"collection '{item.name}' ({len(item.examples)} examples)" if isinstance(item, Collection)
            else f"environment '{item.name}' ({len(item.variables)} values)")
    where = args.out if len(written) > 1 else written[0]
    print(f"wrote {what} to {where} ({len(written)} file{'s' if len(written) != 1 else ''})")
    return 0
