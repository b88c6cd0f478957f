"""``mockkit serve --workers N``: N processes on one port, supervised (issue 11).

The parent binds the port (so a port in use is a clear error before anything forks), forks the
workers, each of which binds its own ``SO_REUSEPORT`` socket and runs the foreground loop
(``hosting.run_until_signal``), prints the banner once they all listen, and then replaces a
worker that dies or stays stopped (SIGSTOP) for ``STOPPED_GRACE`` seconds, giving up when they
keep dying. Linux and other systems with ``fork`` and ``SO_REUSEPORT``.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import socket
import sys
import time
from collections.abc import Callable

from .hosting import bind
from .terminal import printable

__all__ = ["prefork", "RESTART_LIMIT", "RESTART_WINDOW", "STOPPED_GRACE"]

RESTART_LIMIT = 5
"""More worker restarts than this within ``RESTART_WINDOW`` seconds: the workers keep dying (a
bug, a bad collection, no memory), so ``--workers`` stops them all and exits 1 with a message."""
RESTART_WINDOW = 60.0
STOPPED_GRACE = 2.0
"""A worker stopped (SIGSTOP) this long, while the parent runs, still holds its share of the
connections the kernel hands out; it is killed and replaced."""


def prefork(count: int, host: str, sockets: list[socket.socket], run: Callable[[list[socket.socket]], int],
            banner: Callable[[], None]) -> int:
    """Serve with ``count`` processes, each running ``run(its_sockets)`` (the foreground loop)
    on its own ``SO_REUSEPORT`` sockets for ``sockets``' ports (the kernel spreads the
    connections; on one shared socket the first worker to wake accepts them all); the parent
    calls ``banner()`` once every worker listens (at most 10 s), then supervises them: a worker
    that exits or stays stopped is reported on stderr and replaced; more than ``RESTART_LIMIT``
    restarts in ``RESTART_WINDOW`` seconds end the server (exit 1). Ctrl-C/SIGTERM stop them
    all (exit 0). No thread may hold a lock across ``fork``: warm the engine up before
    (``MockEngine.wait_ready``). Returns the exit code."""
    ports = [sock.getsockname()[1] for sock in sockets]

    def spawn(ready_w: int | None) -> int:
        pid = os.fork()
        if pid != 0:
            return pid
        for sig in (signal.SIGINT, signal.SIGTERM):  # not the parent's handlers; run() sets its own
            signal.signal(sig, signal.SIG_DFL)
        _die_with_parent()
        code = 1
        try:
            own = [s for port in ports for s in bind(host, port, reuse_port=True)]
            for sock in sockets:
                sock.close()
            if ready_w is not None:
                os.write(ready_w, b".")
                os.close(ready_w)
            code = run(own)
        except BaseException as exc:  # reported by the parent too; say why here
            print(f"mockkit: worker {os.getpid()} failed: {printable(exc)}", file=sys.stderr, flush=True)
        finally:
            os._exit(code)

    ready_r, ready_w = os.pipe()
    workers = {spawn(ready_w): i + 1 for i in range(count)}
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
    """Wait for the workers; replace the ones that die or stay stopped (see ``prefork``)."""
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
