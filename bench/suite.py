"""mockkit's benchmark suite: mockkit and its peers on the same workloads, in one run.

    bench/run                 # full suite (~20 min on 2 cores): install, generate, measure, report
    bench/run --quick         # the issue-17 runs in under 5 min: 1 s warm-up, 3 s per measurement
    bench/run --only 'w1|gen' # only the runs whose id matches the regular expression
    bench/run --profile       # py-spy profiles of mockkit under load (bench/results/profile-*)
    bench/run --soak          # 10 minutes of load on one mockkit server, RSS sampled: is it flat?

See BENCHMARKS.md for what each workload is and how to read the figures. Every server binds
127.0.0.1 on a free port, runs in its own process group, and is stopped by that group's id; the
suite checks the port is free again before it moves on.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
NPM_DIR = CACHE / "npm"
WORK = CACHE / "work"
LOGS = CACHE / "logs"
RESULTS = HERE / "results"
PY = sys.executable

sys.path.insert(0, str(HERE))
import workloads  # noqa: E402
from workloads import Request, Workload  # noqa: E402

NPM_PEERS = ["@stoplight/prism-cli@5.16.0", "@iyogeshjoshi/postman-mock-server@0.1.1", "wiremock@3.13.2"]
PRISM = NPM_DIR / "node_modules/@stoplight/prism-cli/dist/index.js"
NPM_MOCK = NPM_DIR / "node_modules/@iyogeshjoshi/postman-mock-server/bin/postman-local-cli.js"
WIREMOCK_JAR = NPM_DIR / "node_modules/wiremock/build/wiremock-standalone-3.13.2.jar"
LOOPBACK_JS = HERE / "peers" / "loopback.js"
HOST = "127.0.0.1"


def say(*args: object) -> None:
    print(*args, flush=True)


# ------------------------------------------------------------------------------- installing


def ensure_tools(skip_install: bool) -> dict[str, bool]:
    """wrk (Debian), the npm peers (into bench/.cache/npm), matplotlib (into this Python; it is
    the ``bench`` extra: ``pip install -e '.[bench]'``)."""
    have = {}
    if shutil.which("wrk") is None and not skip_install:
        say("bench: installing wrk (apt-get)")
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
    have["wrk"] = shutil.which("wrk") is not None
    if not have["wrk"]:
        raise SystemExit("bench: wrk is missing and could not be installed (apt-get install -y wrk)")

    have["node"] = shutil.which("node") is not None and shutil.which("npm") is not None
    have["java"] = shutil.which("java") is not None
    if have["node"] and not (PRISM.is_file() and NPM_MOCK.is_file() and WIREMOCK_JAR.is_file()) and not skip_install:
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        if not (NPM_DIR / "package.json").is_file():
            (NPM_DIR / "package.json").write_text('{"name": "mockkit-bench-peers", "private": true}\n')
        say(f"bench: installing npm peers into {NPM_DIR.relative_to(ROOT)}: {' '.join(NPM_PEERS)}")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *NPM_PEERS],
                       cwd=NPM_DIR, check=False)
    have["prism"] = have["node"] and PRISM.is_file()
    have["npm-mock"] = have["node"] and NPM_MOCK.is_file()
    have["wiremock"] = have["java"] and WIREMOCK_JAR.is_file()
    for name in ("prism", "npm-mock", "wiremock"):
        if not have[name]:
            say(f"bench: {name} is not available: its runs are skipped")

    try:
        import matplotlib  # noqa: F401
        have["matplotlib"] = True
    except ImportError:
        have["matplotlib"] = False
        if not skip_install:
            say("bench: installing matplotlib into this Python (bench-only dependency)")
            r = subprocess.run([PY, "-m", "pip", "install", "-q", "matplotlib"], check=False)
            have["matplotlib"] = r.returncode == 0
    return have


# ------------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    """Nothing listens on HOST:port (a connect is refused)."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) != 0


def group_members(pgid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                out.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return out


def status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


CLK_TCK = os.sysconf("SC_CLK_TCK")


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


def group_jiffies(pgid: int) -> dict[int, int]:
    """utime + stime (all threads) of each live process of the group, by pid."""
    out = {}
    for pid in group_members(pgid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[pid] = int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return out


def jiffies_delta(before: dict[int, int], after: dict[int, int]) -> int:
    """CPU used between two group_jiffies snapshots (a process born in between counts whole)."""
    return sum(max(0, j - before.get(pid, 0)) for pid, j in after.items())


def self_cpu_s() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def wait_quiet(max_wait: float, threshold: float) -> float:
    """Wait (at most ``max_wait`` s) until other work uses under ``threshold`` of the machine's CPU
    over one second; returns the last busy share seen."""
    deadline = time.monotonic() + max_wait
    while True:
        b0, t0 = machine_jiffies()
        time.sleep(1.0)
        b1, t1 = machine_jiffies()
        busy = (b1 - b0) / max(1, t1 - t0)
        if busy <= threshold or time.monotonic() >= deadline:
            return busy


class RssSampler:
    """Samples the summed VmRSS of a process group every ``interval`` s (bounded by stop())."""

    def __init__(self, pgid: int, interval: float = 0.25) -> None:
        self.pgid = pgid
        self.interval = interval
        self.peak_kib = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._start = time.monotonic()

    def sample(self) -> int:
        total = sum(status_kib(pid, "VmRSS") for pid in group_members(self.pgid))
        self.peak_kib = max(self.peak_kib, total)
        self.samples.append((time.monotonic() - self._start, total))
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self) -> "RssSampler":
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


class Server:
    """One server process (and its children) in its own process group."""

    def __init__(self, run_id: str, argv: list[str], port: int, cwd: Path | None = None) -> None:
        self.run_id = run_id
        self.argv = argv
        self.port = port
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log_path = LOGS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', run_id)}.log"
        self._log = open(self.log_path, "wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.pgid = self.proc.pid  # start_new_session: the process group is the child's pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def hwm_kib(self) -> int:
        return sum(status_kib(pid, "VmHWM") for pid in group_members(self.pgid))

    def pss_kib(self) -> int:
        return sum(pss_kib(pid) for pid in group_members(self.pgid))

    def processes(self) -> int:
        return len(group_members(self.pgid))

    def stop(self) -> bool:
        """SIGTERM the group, SIGKILL whatever is left after 10 s; True when the port is free."""
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                self.proc.poll()
                if not group_members(self.pgid):
                    break
                time.sleep(0.05)
            if not group_members(self.pgid):
                break
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self._log.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if port_free(self.port):
                return True
            time.sleep(0.1)
        return False

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# ------------------------------------------------------------------------------- requests


def send(port: int, request: Request, timeout: float = 2.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(request.method, request.path, headers=request.headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def answers_correctly(port: int, request: Request, status: int, subset: dict | None, body: object = None) -> bool:
    try:
        got_status, raw = send(port, request)
    except (OSError, http.client.HTTPException):
        return False
    if got_status != status:
        return False
    try:
        data = json.loads(raw)
    except ValueError:
        return False
    if body is not None:
        return data == body
    return isinstance(data, dict) and all(data.get(k) == v for k, v in (subset or {}).items())


def wait_until_answering(server: Server, workload: Workload, timeout: float = 90.0) -> float | None:
    """Seconds from process start to the first correct answer to the workload's check request."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            return None
        if answers_correctly(server.port, workload.check, workload.check_status, workload.check_json):
            return time.perf_counter() - server.started
        time.sleep(0.01)
    return None


def rotation_correctness(port: int, workload: Workload) -> list[dict]:
    """Each request of the rotation once: status, and whether the body is the expected example."""
    out = []
    for r in workload.requests:
        try:
            status, raw = send(port, r)
        except (OSError, http.client.HTTPException) as exc:
            out.append({"request": f"{r.method} {r.path}", "status": None, "correct": False, "error": str(exc)})
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        correct = status == r.expect_status and (r.expect_body is None or data == r.expect_body)
        out.append({"request": f"{r.method} {r.path}", "status": status, "correct": correct})
    return out


def wrk(port: int, workload: Workload, seconds: float, threads: int, connections: int, tag: str,
        keepalive: bool = True) -> dict:
    script = WORK / f"{workload.name}.lua"
    script.write_text(workloads.lua_script(workload.requests))
    target = workload.requests[0].path if len(workload.requests) == 1 else "/"
    url = f"http://{HOST}:{port}{target}"
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
            *([] if keepalive else ["-H", "Connection: close"]), "-s", str(script), url]
    out_path = LOGS / f"wrk-{tag}.txt"
    with open(out_path, "w+") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + seconds + 60
        status, usage = 0, None
        try:
            while True:  # bounded: wrk stops itself after -d; killed past the deadline
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    break
                if time.monotonic() > deadline:
                    proc.kill()
                time.sleep(0.05)
        except BaseException:  # interrupted: do not leave wrk running
            proc.kill()
            proc.wait(5)
            raise
        out.seek(0)
        text = out.read()
    for line in text.splitlines():
        if line.startswith("BENCH-JSON "):
            data = json.loads(line[len("BENCH-JSON "):])
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6) if data["duration_us"] else 0.0
            data["cpu_s"] = usage.ru_utime + usage.ru_stime if usage else 0.0
            return data
    raise RuntimeError(f"wrk printed no summary: {text[-500:]}")


# ------------------------------------------------------------------------------- the runs


@dataclass
class RunSpec:
    run_id: str
    server: str  # label in tables
    family: str  # mockkit | peer | baseline
    workload: str
    argv: list[str]
    needs: str = ""  # a tool from ensure_tools that must be present
    note: str = ""
    connections: int = 0  # wrk connections (0: --connections)
    keepalive: bool = True  # False: every request on a new connection (wrk -H "Connection: close")
    gc_out: str = ""  # bench/gcpauses.py writes the collector's pauses here (read after the stop)


@dataclass
class RunResult:
    run_id: str
    server: str
    family: str
    workload: str
    note: str = ""
    ok: bool = False
    error: str = ""
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    non_2xx: int = 0
    socket_errors: int = 0
    requests: int = 0
    startup_s: float | None = None
    peak_rss_mib: float = 0.0
    pss_mib: float = 0.0
    processes: int = 0
    correct: str = ""
    rotation: list = field(default_factory=list)
    repeats: list = field(default_factory=list)
    loadavg_before: float = 0.0
    busy_before: float = 0.0  # machine CPU share busy just before the run (other sessions)
    noise: float = 0.0  # share of the machine's CPU used by other processes during the measurement
    server_cpu: float = 0.0  # cores the server used during the measurement
    wrk_cpu: float = 0.0  # cores wrk used
    attempts: int = 1  # measurements made (more when other processes disturbed one)
    port_freed: bool = True
    extra: dict = field(default_factory=dict)


def mockkit_cmd() -> list[str]:
    script = Path(PY).parent / "mockkit"
    return [str(script)] if script.is_file() else [PY, "-m", "mockkit"]


def mockkit_has(flag: str) -> bool:
    """Whether this mockkit's `serve` knows ``flag`` (so the suite runs against older versions too)."""
    try:
        out = subprocess.run([*mockkit_cmd(), "serve", "--help"], capture_output=True, text=True, timeout=60,
                             check=False, cwd=WORK)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return flag in out.stdout


CONNECTIONS = (16, 64, 256)
"""wrk connection counts of the w1 matrix (each with keep-alive and with a new connection per request)."""


def has_uvloop() -> bool:
    """Whether uvloop is installed in the Python the servers run with (the opt-in loop)."""
    try:
        out = subprocess.run([PY, "-c", "import uvloop"], capture_output=True, timeout=60, cwd=WORK)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0


def specs(loads: dict[str, Workload], quick: bool = False) -> list[RunSpec]:
    """Every run: the w1 matrix (mockkit and every peer at 16/64/256 connections, with and without
    keep-alive), ``--workers 2`` against WireMock at 256, the notebook and call-log variants, w2/w2q,
    the generated sizes, misses, and the garbage-collector run. ``quick``: a subset that finishes
    within five minutes on a quiet two-core machine."""
    mk = mockkit_cmd()
    out: list[RunSpec] = []
    colon = mockkit_has("--colon-wildcards")

    def add(workload: str, server: str, family: str, argv: list[str], needs: str = "", note: str = "",
            connections: int = 0, keepalive: bool = True, gc_out: str = "") -> None:
        if workload not in loads:
            return
        slug = re.sub(r"[^a-z0-9]+", "-", server.lower()).strip("-")
        tail = (f"@c{connections}" if connections else "") + ("" if keepalive else "-close")
        label = server + (f" · {connections} conns" if connections else "") + ("" if keepalive else ", no keep-alive")
        out.append(RunSpec(f"{workload}/{slug}{tail}", label, family, workload, argv, needs, note, connections,
                           keepalive, gc_out))

    def w1_servers(c: str) -> list[tuple[str, str, list[str], str, str]]:
        wiremock_root = str(loads["w1"].wiremock_root)
        return [
            ("mockkit serve", "mockkit", [*mk, "serve", c, "--port", "{port}", "--quiet"], "",
             "one process; call log on (journal 1,000)"),
            ("bare Tornado (baseline)", "baseline", [PY, str(HERE / "bare_tornado.py"), "{port}"], "",
             "tornado.web.Application, one RequestHandler, same JSON body"),
            ("npm postman-mock-server 0.1.1", "peer", ["node", "-r", str(LOOPBACK_JS), str(NPM_MOCK), "-c", c, "-p",
                                                       "{port}"], "npm-mock", "@iyogeshjoshi/postman-mock-server"),
            ("Prism 5.16", "peer", ["node", str(PRISM), "mock", "-h", HOST, "-p", "{port}", "-v", "warn", c], "prism",
             "prism mock COLLECTION -v warn"),
            ("WireMock 3.13.2", "peer", ["java", "-jar", str(WIREMOCK_JAR), "--port", "{port}", "--bind-address", HOST,
                                         "--root-dir", wiremock_root, "--disable-banner"], "wiremock",
             "stub mappings of the same four endpoints; JVM defaults"),
        ]

    if "w1" in loads:
        c = str(loads["w1"].collection)
        matrix = [(n, True) for n in ((16, 256) if quick else CONNECTIONS)]
        matrix += [(n, False) for n in ((16,) if quick else CONNECTIONS)]
        for n, keep in matrix:
            for server, family, argv, needs, note in w1_servers(c):
                add("w1", server, family, argv, needs, note, connections=n, keepalive=keep)
        if has_uvloop():  # what uvloop brings: the same server on the opt-in loop
            for n in (16, 256):
                add("w1", "mockkit serve, MOCKKIT_LOOP=uvloop", "mockkit",
                    ["env", "MOCKKIT_LOOP=uvloop", *mk, "serve", c, "--port", "{port}", "--quiet"],
                    note="on uvloop (opt-in) instead of the standard asyncio loop", connections=n)
        workers2 = [*mk, "serve", c, "--port", "{port}", "--quiet", "--workers", "2"]
        for n, keep in ((256, True),) if quick else ((256, True), (256, False), (16, True)):
            add("w1", "mockkit serve --workers 2", "mockkit", workers2, note="2 forked workers on one socket",
                connections=n, keepalive=keep)
        if not quick:
            add("w1", "mockkit.serve() thread", "mockkit", [PY, str(HERE / "inproc.py"), c, "{port}"],
                note="the notebook case: server thread in a Python process; call log on", connections=16)
            add("w1", "mockkit.serve() thread, journal_size=1", "mockkit",
                [PY, str(HERE / "inproc.py"), c, "{port}", "--journal-size", "1"],
                note="call log kept to one entry: the cost of the call log is the difference", connections=16)
            add("w1", "mockkit serve (log lines)", "mockkit", [*mk, "serve", c, "--port", "{port}"],
                note="without --quiet: one log line per call, stdout to a file", connections=16)
    for name in () if quick else ("w2", "w2q"):
        if name not in loads:
            continue
        c = str(loads[name].collection)
        add(name, "mockkit serve", "mockkit", [*mk, "serve", c, "--port", "{port}", "--quiet"],
            note="one process, one thread; call log on (journal 1,000)")
        add(name, "mockkit serve --workers 2", "mockkit", [*mk, "serve", c, "--port", "{port}", "--quiet",
                                                           "--workers", "2"], note="2 forked workers")
        if name == "w2" and colon:
            add(name, "mockkit serve --colon-wildcards", "mockkit",
                [*mk, "serve", c, "--port", "{port}", "--quiet", "--colon-wildcards"],
                note="empty :id segments match any value, as the peers treat them (opt-in)")
        add(name, "Prism 5.16", "peer", ["node", str(PRISM), "mock", "-h", HOST, "-p", "{port}", "-v", "warn", c],
            needs="prism", note="prism mock COLLECTION -v warn")
        add(name, "npm postman-mock-server 0.1.1", "peer",
            ["node", "-r", str(LOOPBACK_JS), str(NPM_MOCK), "-c", c, "-p", "{port}"], needs="npm-mock",
            note="@iyogeshjoshi/postman-mock-server, loopback forced by a node -r preload")
    sizes = ("gen10000",) if quick else ("gen10", "gen1000", "gen10000", "gen50000")
    for name in (*sizes, "miss10000", "miss50000"):
        if name in loads:
            add(name, "mockkit serve", "mockkit", [*mk, "serve", str(loads[name].collection), "--port", "{port}",
                                                   "--quiet"], note=f"{loads[name].examples:,} examples")
    if "mix50000" in loads:
        gc_out = str(LOGS / "gc-pauses.json")
        add("mix50000", "mockkit serve (collector pauses timed)", "mockkit",
            [PY, str(HERE / "gcpauses.py"), gc_out, str(loads["mix50000"].collection), "--port", "{port}", "--quiet"],
            note="bench/gcpauses.py: mockkit serve with gc.callbacks timing every collection", gc_out=gc_out)
    return out


def run_one(spec: RunSpec, workload: Workload, args: argparse.Namespace, round_: int = 0) -> RunResult:
    result = RunResult(spec.run_id, spec.server, spec.family, spec.workload, spec.note)
    result.loadavg_before = os.getloadavg()[0]
    if args.quiet_wait > 0:
        result.busy_before = wait_quiet(args.quiet_wait, args.quiet_threshold)
    port = free_port()
    argv = [a.replace("{port}", str(port)) for a in spec.argv]
    server = Server(spec.run_id, argv, port, cwd=WORK)
    sampler = RssSampler(server.pgid)
    try:
        startup = wait_until_answering(server, workload)
        if startup is None:
            result.error = "no correct answer to the check request" + ("" if server.alive() else " (server exited)")
            say(f"  ! {spec.run_id}: {result.error}\n{server.tail()}")
            return result
        result.startup_s = startup
        sampler.start()
        result.rotation = rotation_correctness(port, workload)
        good = sum(r["correct"] for r in result.rotation)
        result.correct = f"{good}/{len(result.rotation)}"
        conns = spec.connections or args.connections
        if args.warmup > 0:
            wrk(port, workload, args.warmup, args.threads, conns, spec.run_id.replace("/", "_") + "-warmup",
                spec.keepalive)
        attempts = []
        for attempt in range(1 + max(0, args.retries)):
            if attempt:
                wait_quiet(args.quiet_wait, args.quiet_threshold)
            b0, t0 = machine_jiffies()
            g0, s0, w0 = group_jiffies(server.pgid), self_cpu_s(), time.monotonic()
            data = wrk(port, workload, args.duration, args.threads, conns,
                       spec.run_id.replace("/", "_") + f"-{round_}-{attempt}", spec.keepalive)
            b1, t1 = machine_jiffies()
            g1, s1, w1 = group_jiffies(server.pgid), self_cpu_s(), time.monotonic()
            server_s = jiffies_delta(g0, g1) / CLK_TCK
            other = (b1 - b0) / CLK_TCK - server_s - data["cpu_s"] - (s1 - s0)
            data["server_cpu"] = server_s / (w1 - w0)
            data["wrk_cpu"] = data["cpu_s"] / (w1 - w0)
            data["noise"] = max(0.0, other / ((t1 - t0) / CLK_TCK)) if t1 > t0 else 0.0
            attempts.append(data)
            if data["noise"] <= args.max_noise:
                break
            say(f"    (others used {100 * data['noise']:.0f}% of the machine during the measurement: "
                + ("measuring again)" if attempt < args.retries else "kept the quietest attempt)"))
        best = min(attempts, key=lambda d: d["noise"])
        result.attempts = len(attempts)
        result.server_cpu, result.wrk_cpu, result.noise = best["server_cpu"], best["wrk_cpu"], best["noise"]
        result.pss_mib = server.pss_kib() / 1024
        result.processes = server.processes()
        sampler.sample()
        result.peak_rss_mib = max(server.hwm_kib(), sampler.peak_kib) / 1024
        result.rps = best["rps"]
        result.p50_ms, result.p90_ms = best["p50_us"] / 1000, best["p90_us"] / 1000
        result.p99_ms, result.max_ms = best["p99_us"] / 1000, best["max_us"] / 1000
        result.non_2xx = best["status_errors"]
        result.socket_errors = best["connect_errors"] + best["read_errors"] + best["write_errors"] + best["timeouts"]
        result.requests = best["requests"]
        result.ok = True
        if spec.server == "mockkit.serve() thread" or spec.server.startswith("mockkit.serve() thread"):
            first = server.log_path.read_text(errors="replace").splitlines()[:1]
            if first and first[0].startswith("{"):
                result.extra.update(json.loads(first[0]))
        return result
    except Exception as exc:  # one failing server must not stop the suite
        result.error = f"{type(exc).__name__}: {exc}"
        say(f"  ! {spec.run_id}: {result.error}\n{server.tail()}")
        return result
    finally:
        sampler.stop()
        result.port_freed = server.stop()
        if not result.port_freed:
            say(f"  ! {spec.run_id}: port {port} still answers after stopping the process group")
        if spec.gc_out:
            try:
                result.extra["gc"] = json.loads(Path(spec.gc_out).read_text())
            except (OSError, ValueError) as exc:
                result.extra["gc"] = {"error": str(exc)}


def merge(rounds: list[RunResult]) -> RunResult:
    """One result per run: the round with the median req/s; start-up median, RSS max over rounds."""
    ok = [r for r in rounds if r.ok]
    if not ok:
        return rounds[-1]
    ok.sort(key=lambda r: r.rps)
    chosen = ok[(len(ok) - 1) // 2]
    chosen.repeats = [round(r.rps, 1) for r in rounds if r.ok]
    starts = [r.startup_s for r in ok if r.startup_s is not None]
    chosen.startup_s = statistics.median(starts) if starts else None
    chosen.peak_rss_mib = max(r.peak_rss_mib for r in ok)
    chosen.port_freed = all(r.port_freed for r in rounds)
    if len(ok) < len(rounds):
        chosen.error = f"{len(rounds) - len(ok)} of {len(rounds)} rounds failed: " + rounds[0].error
    return chosen


# ------------------------------------------------------------------------------- probes


def probe(mode: str, *more: str, repeat: int = 3) -> dict:
    """Median of ``repeat`` fresh-process probes (bench/probe.py)."""
    rows = []
    for _ in range(repeat):
        proc = subprocess.run([PY, str(HERE / "probe.py"), mode, *more], capture_output=True, text=True,
                              timeout=120, cwd=WORK)
        if proc.returncode != 0:
            return {"error": proc.stderr[-400:]}
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    keys = [k for k, v in rows[0].items() if isinstance(v, float)]
    out = {k: statistics.median(r[k] for r in rows) for k in keys}
    out["runs"] = rows
    return out


# ------------------------------------------------------------------------------- reporting


def find(results: list[RunResult], run_id: str) -> RunResult | None:
    for r in results:
        if r.run_id == run_id and r.ok:
            return r
    return None


def ratios(results: list[RunResult], probes: dict) -> list[dict]:
    """The targets of issues 17 and 6, each with its measured value and met / not met."""
    out = []

    def row(name: str, value: float | None, target: str, met: bool | None, detail: str) -> None:
        out.append({"target": name, "value": value, "goal": target,
                    "met": met if value is not None else None, "detail": detail})

    def ratio(name: str, a_id: str, b_id: str, goal: float | None, extra: str = "") -> None:
        a, b = find(results, a_id), find(results, b_id)
        v = a.rps / b.rps if a and b and b.rps else None
        row(name, v, f">= {goal:.2f}x" if goal else "(info)", (v >= goal) if v is not None and goal else None,
            f"{a.rps:,.0f} / {b.rps:,.0f} req/s{extra}" if a and b else "missing run")

    npm, tornado = "w1/npm-postman-mock-server-0-1-1", "w1/bare-tornado-baseline"
    for n in CONNECTIONS:
        ratio(f"mockkit serve / npm server, w1, {n} keep-alive connections", f"w1/mockkit-serve@c{n}",
              f"{npm}@c{n}", 1.25)
    for n in CONNECTIONS:
        ratio(f"mockkit serve / bare Tornado, w1, {n} keep-alive connections", f"w1/mockkit-serve@c{n}",
              f"{tornado}@c{n}", 1.0 if n == 16 else None)
    for n in (16, 256):
        ratio(f"uvloop / asyncio loop, mockkit serve, w1, {n} keep-alive connections",
              f"w1/mockkit-serve-mockkit-loop-uvloop@c{n}", f"w1/mockkit-serve@c{n}", None)
    for n in CONNECTIONS:
        ratio(f"mockkit serve / npm server, w1, {n} connections without keep-alive", f"w1/mockkit-serve@c{n}-close",
              f"{npm}@c{n}-close", None)
    two, wm = find(results, "w1/mockkit-serve-workers-2@c256"), find(results, "w1/wiremock-3-13-2@c256")
    v = two.rps / wm.rps if two and wm else None
    row("mockkit serve --workers 2 / WireMock, w1, 256 keep-alive connections", v, ">= 1.00x",
        v is not None and v >= 1.0,
        (f"{two.rps:,.0f} / {wm.rps:,.0f} req/s; CPU {two.server_cpu:.2f} vs {wm.server_cpu:.2f} cores, peak RSS "
         f"{two.peak_rss_mib:,.0f} MiB ({two.processes} processes) vs {wm.peak_rss_mib:,.0f} MiB") if two and wm
        else "missing run")
    for peer_id, label in (("prism-5-16", "Prism"), ("wiremock-3-13-2", "WireMock")):
        ratio(f"mockkit serve / {label}, w1, 16 keep-alive connections", "w1/mockkit-serve@c16",
              f"w1/{peer_id}@c16", None)
    hit, miss = find(results, "gen10000/mockkit-serve"), find(results, "miss10000/mockkit-serve")
    v = hit.rps / miss.rps if hit and miss and miss.rps else None
    row("cost of a miss / cost of a hit at 10,000 examples (hit req/s / miss req/s)", v, "<= 2.00x",
        v is not None and v <= 2.0, f"{hit.rps:,.0f} hits/s vs {miss.rps:,.0f} misses/s" if hit and miss
        else "missing run")
    for n in (10000, 50000):
        p = probes.get(f"misses{n}", {})
        if "miss_p99_us" in p:
            row(f"a miss at {n:,} examples, engine time p99 (in-process, fresh misses)", p["miss_p99_us"] / 1000,
                "< 10 ms" if n == 50000 else "(info) ms", p["miss_p99_us"] < 10000 if n == 50000 else None,
                f"median {p['miss_median_us']:.0f} µs, max {p['miss_max_us']:.0f} µs over {p.get('misses', 2000):,.0f} misses; "
                f"a hit: median {p['hit_median_us']:.0f} µs (miss/hit {p['miss_median_us'] / p['hit_median_us']:.2f}x)")
            row(f"longest a request held the loop at {n:,} examples (in-process, hits and misses)",
                max(p["miss_max_us"], p["hit_max_us"]) / 1000, "< 5 ms", max(p["miss_max_us"], p["hit_max_us"]) < 5000,
                "engine time of the slowest single request")
        p = probes.get(f"onepath{n}", {})
        if "hit_max_us" in p:
            slowest = max(p["hit_max_us"], p["miss_max_us"], p["no_query_max_us"])
            row(f"longest a request held the loop, {n:,} examples of one path told apart by query (in-process)",
                slowest / 1000, "< 5 ms", slowest < 5000,
                f"hit median {p['hit_median_us']:.0f} µs, miss median {p['miss_median_us']:.0f} µs, "
                f"no query {p['no_query_median_us']:.0f} µs; load {p['load_s']:.2f} s")
    big = find(results, "miss50000/mockkit-serve")
    if big:
        row("a miss at 50,000 examples, p99 latency under wrk (16 connections, queueing included)", big.p99_ms,
            "< 10 ms", big.p99_ms < 10, f"{big.rps:,.0f} misses/s, p50 {big.p50_ms:.2f} ms")
    gc = next((r.extra.get("gc") for r in results if r.ok and "gc" in r.extra), None)
    if gc and "serving" in gc:
        row("longest garbage-collector pause while serving, 50,000 examples", gc["serving"]["max_ms"], "< 5 ms",
            gc["serving"]["max_ms"] < 5, f"{gc['serving']['count']:,} collections while serving "
            f"({gc['serving']['over_5ms']} over 5 ms); while loading: {gc['loading']['count']} collections, longest "
            f"{gc['loading']['max_ms']:.1f} ms; {gc['frozen']:,} objects frozen")
    for n in (10000, 50000):
        load = probes.get(f"load{n}", {})
        v = load.get("load_s")
        row(f"MockEngine({n:,}-example collection file) load time", v, "< 2 s", v is not None and v < 2.0,
            f"median of {len(load.get('runs', []))} fresh processes; RSS once loaded {load.get('rss_mib', 0):.0f} MiB"
            if v is not None else load.get("error", "not run"))
    small, big10 = find(results, "gen10/mockkit-serve"), find(results, "gen10000/mockkit-serve")
    if small and big10:
        row("(issue 6) mockkit 10,000 examples / 10 examples, req/s", big10.rps / small.rps, ">= 0.80x",
            big10.rps / small.rps >= 0.8, f"{big10.rps:,.0f} / {small.rps:,.0f} req/s")
    demo = probes.get("demo", {})
    v = demo.get("serve_s")
    row("(issue 6) serve() for the demo returns in", v, "< 0.5 s", v is not None and v < 0.5,
        f"median of {len(demo.get('runs', []))} fresh processes" if v is not None else demo.get("error", "not run"))
    return out


def fmt(v: float | None, spec: str = ",.0f") -> str:
    return "-" if v is None else format(v, spec)


def markdown(meta: dict, results: list[RunResult], probes: dict, targets: list[dict]) -> str:
    lines = [f"# mockkit benchmark results ({meta['when']})", "",
             f"Command: `{meta['command']}`  ", f"Machine: {meta['machine']}  ",
             f"wrk: `-t{meta['threads']} -c{meta['connections']} -d{meta['duration']}s` after a "
             f"{meta['warmup']} s warm-up; {meta['repeat']} round(s), fresh server each (median req/s shown)  ",
             f"Versions: {meta['versions']}", ""]
    for w, title in meta["workloads"].items():
        rows = [r for r in results if r.workload == w]
        if not rows:
            continue
        lines += [f"## {w}: {title}", "",
                  "| server | req/s | p50 ms | p99 ms | start-up s | peak RSS MiB | procs | non-2xx | correct | "
                  "server CPU | others' CPU | notes |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in sorted(rows, key=lambda r: -r.rps):
            if not r.ok:
                lines.append(f"| {r.server} | failed | | | | | | | | | | {r.error} |")
                continue
            lines.append(
                f"| {r.server} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {fmt(r.startup_s, '.2f')} | "
                f"{r.peak_rss_mib:,.0f} | {r.processes} | {r.non_2xx:,} | {r.correct} | {r.server_cpu:.2f} | "
                f"{100 * r.noise:.0f}% | {r.note} |")
        lines.append("")
    lines += ["## Targets (issues 17 and 6), ratios from this run", "", "| target | value | goal | met | how |",
              "|---|---:|---|---|---|"]
    for t in targets:
        met = {True: "met", False: "**not met**", None: "-"}[t["met"]]
        v = t["value"]
        val = "-" if v is None else (f"{v:.2f}x" if "x" in t["goal"] or t["goal"].startswith("(") else f"{v:.2f}")
        if v is not None and "MiB" in t["goal"]:
            val = f"{v:.0f} MiB"
        elif v is not None and t["goal"].endswith("ms"):
            val = f"{v:.2f} ms"
        elif v is not None and " s" in t["goal"]:
            val = f"{v:.3f} s"
        lines.append(f"| {t['target']} | {val} | {t['goal']} | {met} | {t['detail']} |")
    lines.append("")
    return "\n".join(lines)


def chart(path: Path, results: list[RunResult], meta: dict) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    ok = [r for r in results if r.ok]
    if not ok:
        return False
    colors = {"mockkit": "#2b6cb0", "peer": "#a0aec0", "baseline": "#38a169"}
    order = list(meta["workloads"])
    ok.sort(key=lambda r: (order.index(r.workload) if r.workload in order else 99, -r.rps))
    labels = [f"{r.workload}  {r.server}" for r in ok]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 0.34 * len(ok) + 1.6), sharey=True)
    y = range(len(ok))
    ax1.barh(y, [r.rps for r in ok], color=[colors[r.family] for r in ok])
    ax1.set_yticks(list(y), labels, fontsize=8)
    ax1.invert_yaxis()
    ax1.set_xlabel("requests/s (higher is better)")
    for i, r in enumerate(ok):
        ax1.text(r.rps, i, f" {r.rps:,.0f}", va="center", fontsize=7)
    ax2.barh(y, [r.p99_ms for r in ok], color=[colors[r.family] for r in ok])
    ax2.set_xlabel("p99 latency, ms (lower is better)")
    if max(r.p99_ms for r in ok) > 50 * max(0.01, min(r.p99_ms for r in ok)):
        ax2.set_xscale("log")
        ax2.set_xlabel("p99 latency, ms, log scale (lower is better)")
    for i, r in enumerate(ok):
        ax2.text(r.p99_ms, i, f" {r.p99_ms:.1f}", va="center", fontsize=7)
    ax1.set_xlim(0, max(r.rps for r in ok) * 1.18)
    if ax2.get_xscale() == "log":
        ax2.set_xlim(min(r.p99_ms for r in ok) * 0.5, max(r.p99_ms for r in ok) * 4)
    else:
        ax2.set_xlim(0, max(r.p99_ms for r in ok) * 1.18)
    fig.suptitle(f"mockkit bench, wrk -t{meta['threads']} -d{meta['duration']}s (connections: {meta['connections']} "
                 f"unless the label says), {meta['when']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def versions() -> str:
    def cmd(argv: list[str]) -> str:
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "absent"

    import tornado

    where = subprocess.run([PY, "-c", "import mockkit, os; print(os.path.dirname(mockkit.__file__))"],
                           capture_output=True, text=True, cwd=WORK).stdout.strip()
    sys.path.insert(0, str(ROOT))
    import mockkit

    return (f"mockkit {mockkit.__version__} (from `{where}`), Python {platform.python_version()}, Tornado {tornado.version}, "
            f"node {cmd(['node', '--version'])}, java `{cmd(['java', '-version'])}`, "
            f"`{cmd(['wrk', '--version']).split(' Copyright')[0]}`")


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB, {platform.platform()}"


# ------------------------------------------------------------------------------- soak


def soak(args: argparse.Namespace, loads: dict[str, Workload]) -> int:
    """Load on one mockkit server for ``--soak-minutes``; RSS every 5 s; is it flat?"""
    workload = loads.get("w2") or loads["w1"]
    port = free_port()
    argv = [*mockkit_cmd(), "serve", str(workload.collection), "--port", str(port), "--quiet"]
    seconds = max(30, int(args.soak_minutes * 60))
    say(f"soak: {' '.join(argv)}\nsoak: {seconds} s of wrk load ({workload.name}), RSS sampled every 5 s")
    server = Server("soak", argv, port, cwd=WORK)
    samples: list[tuple[float, float]] = []
    try:
        if wait_until_answering(server, workload) is None:
            say(f"soak: the server did not answer\n{server.tail()}")
            return 1
        script = WORK / "soak.lua"
        script.write_text(workloads.lua_script(workload.requests))
        load = subprocess.Popen(["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s",
                                 "--timeout", "5s", "-s", str(script), f"http://{HOST}:{port}/"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        start = time.monotonic()
        try:
            while load.poll() is None and time.monotonic() - start < seconds + 30:
                rss = sum(status_kib(p, "VmRSS") for p in group_members(server.pgid)) / 1024
                samples.append((time.monotonic() - start, rss))
                say(f"soak: {samples[-1][0]:6.0f} s  RSS {rss:7.1f} MiB")
                time.sleep(5)
        finally:
            if load.poll() is None:
                os.killpg(load.pid, signal.SIGTERM)
            out = load.communicate(timeout=30)[0]
        summary = next((json.loads(l[11:]) for l in out.splitlines() if l.startswith("BENCH-JSON ")), {})
    finally:
        freed = server.stop()
    if len(samples) < 4:
        say("soak: too few samples")
        return 1
    settle = [s for s in samples if s[0] >= min(60, seconds / 5)]
    first, last, peak = settle[0][1], samples[-1][1], max(s[1] for s in settle)
    n = len(settle)
    mx = sum(t for t, _ in settle) / n
    my = sum(r for _, r in settle) / n
    slope = sum((t - mx) * (r - my) for t, r in settle) / max(1e-9, sum((t - mx) ** 2 for t, _ in settle)) * 60
    flat = (last - first) < max(5.0, 0.05 * first) and slope < 0.5
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps({"argv": argv, "seconds": seconds, "samples": samples,
                                                   "wrk": summary, "flat": flat, "slope_mib_per_min": slope}, indent=1))
    say(f"soak: {summary.get('requests', 0):,} requests; RSS after settling {first:.1f} MiB, at the end {last:.1f} "
        f"MiB, peak {peak:.1f} MiB, slope {slope:+.2f} MiB/min; port freed: {freed}")
    say(f"soak: RSS {'stays FLAT (the call log is bounded)' if flat else 'GROWS: look for unbounded state'}")
    return 0 if flat else 1


# ------------------------------------------------------------------------------- profile


def profile(args: argparse.Namespace, loads: dict[str, Workload]) -> int:
    """py-spy record of `mockkit serve` under wrk load on w1, w2 and gen10000; top frames printed."""
    spy = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
    if not Path(spy).is_file() and shutil.which("py-spy") is None:
        subprocess.run([PY, "-m", "pip", "install", "-q", "py-spy"], check=False)
        spy = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
    RESULTS.mkdir(exist_ok=True)
    for name in ("w1", "w2", "gen10000"):
        if name not in loads:
            continue
        workload = loads[name]
        port = free_port()
        argv = [*mockkit_cmd(), "serve", str(workload.collection), "--port", str(port), "--quiet"]
        server = Server(f"profile-{name}", argv, port, cwd=WORK)
        try:
            if wait_until_answering(server, workload) is None:
                say(f"profile: {name}: no answer\n{server.tail()}")
                continue
            raw = RESULTS / f"profile-{name}.txt"
            svg = RESULTS / f"profile-{name}.svg"
            seconds = max(3, round(args.duration))
            script = WORK / "profile.lua"
            script.write_text(workloads.lua_script(workload.requests))
            target = workload.requests[0].path if len(workload.requests) == 1 else "/"
            load = subprocess.Popen(["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{2 * seconds + 4}s",
                                     "-s", str(script), f"http://{HOST}:{port}{target}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                time.sleep(1)
                for fmt_, out in (("raw", raw), ("flamegraph", svg)):
                    subprocess.run([spy, "record", "-p", str(server.proc.pid), "-d", str(seconds), "-r", "250",
                                    "-f", fmt_, "-o", str(out), "--nonblocking"],
                                   capture_output=True, timeout=seconds + 60, check=False)
            finally:
                try:
                    load.wait(2 * seconds + 30)
                except subprocess.TimeoutExpired:
                    os.killpg(load.pid, signal.SIGKILL)
                    load.wait(5)
            if raw.is_file():
                say(f"\nprofile {name} ({workload.title}): {svg.relative_to(ROOT)}")
                say(top_frames(raw.read_text()))
        finally:
            server.stop()
    return 0


def top_frames(collapsed: str, n: int = 25) -> str:
    """Self and inclusive share of samples per function, from py-spy's collapsed stacks."""
    self_: dict[str, int] = {}
    incl: dict[str, int] = {}
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        c = int(count)
        total += c
        frames = [re.sub(r" \((.*?)/([^/]+\.py):\d+\)$", r" (\2)", f) for f in stack.split(";")]
        frames = [re.sub(r":\d+\)$", ")", f) for f in frames]
        self_[frames[-1]] = self_.get(frames[-1], 0) + c
        for f in set(frames):
            incl[f] = incl.get(f, 0) + c
    if not total:
        return "  (no samples)"
    rows = [f"  {'self %':>6} {'incl %':>6}  function"]
    for f, c in sorted(incl.items(), key=lambda kv: -kv[1])[:n]:
        rows.append(f"  {100 * self_.get(f, 0) / total:6.1f} {100 * c / total:6.1f}  {f}")
    rows.append("  top self: " + "; ".join(f"{f} {100 * c / total:.1f}%"
                                           for f, c in sorted(self_.items(), key=lambda kv: -kv[1])[:8]))
    return "\n".join(rows)


# ------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 s warm-up, 3 s per measurement (smoke test)")
    parser.add_argument("--duration", type=float, default=None, help="seconds per wrk measurement (default 10)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of warm-up load (default 3)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds: the whole list of runs N times (fresh servers); per run the median req/s")
    parser.add_argument("--quiet-wait", type=float, default=20.0,
                        help="before each run, wait up to S s for other processes to go quiet (0: never)")
    parser.add_argument("--max-noise", type=float, default=0.2,
                        help="measure again when other processes used more than this share of the machine (0.2)")
    parser.add_argument("--retries", type=int, default=2, help="extra measurements allowed per run for noise (2)")
    parser.add_argument("--quiet-threshold", type=float, default=0.15,
                        help="'quiet' = other processes use under this share of all cores (default 0.15)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--only", default="", help="regular expression: only runs whose id matches")
    parser.add_argument("--no-peers", action="store_true", help="mockkit and the baseline only")
    parser.add_argument("--no-install", action="store_true", help="install nothing; skip what is missing")
    parser.add_argument("--soak", action="store_true", help="10-minute soak of one mockkit server (RSS flat?)")
    parser.add_argument("--soak-minutes", type=float, default=10.0)
    parser.add_argument("--profile", action="store_true", help="py-spy profiles of mockkit serve under load")
    parser.add_argument("--mockkit-path", default="",
                        help="measure the mockkit package found in DIR (DIR/mockkit), e.g. a scratch copy with "
                             "an experiment: put first on PYTHONPATH for every process")
    args = parser.parse_args(argv)

    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")  # unwinds through every `finally`: servers stop

    signal.signal(signal.SIGTERM, interrupted)
    if args.mockkit_path:
        path = str(Path(args.mockkit_path).resolve())
        if not (Path(path) / "mockkit" / "__init__.py").is_file():
            raise SystemExit(f"bench: {path}/mockkit/__init__.py not found")
        os.environ["PYTHONPATH"] = path + os.pathsep + os.environ.get("PYTHONPATH", "")
    args.duration = args.duration if args.duration is not None else (3.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 3.0)
    if args.quick:  # within five minutes on a quiet two-core machine: no waiting, no re-measuring
        args.quiet_wait = min(args.quiet_wait, 0.0)
        args.retries = 0
    args.repeat = max(1, args.repeat)

    have = ensure_tools(args.no_install)
    loads = workloads.build(WORK, sizes=(10000,) if args.quick else (10, 1000, 10000, 50000))
    if args.soak:
        return soak(args, loads)
    if args.profile:
        return profile(args, loads)

    todo = [s for s in specs(loads, args.quick) if (not args.only or re.search(args.only, s.run_id))
            and (not s.needs or (have.get(s.needs) and not args.no_peers))]
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    say(f"bench: {len(todo)} runs, wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s after "
        f"{args.warmup:g} s warm-up, {args.repeat} round(s)")
    per_run: dict[str, list[RunResult]] = {s.run_id: [] for s in todo}
    for round_ in range(args.repeat):
        for spec in todo:
            say(f"- {spec.run_id}: {spec.server}" + (f" (round {round_ + 1}/{args.repeat})" if args.repeat > 1 else ""))
            r = run_one(spec, loads[spec.workload], args, round_)
            per_run[spec.run_id].append(r)
            if r.ok:
                say(f"    {r.rps:9,.0f} req/s  p50 {r.p50_ms:.2f} ms  p99 {r.p99_ms:.2f} ms  start-up "
                    f"{fmt(r.startup_s, '.2f')} s  peak RSS {r.peak_rss_mib:,.0f} MiB  correct {r.correct}"
                    f"{'  non-2xx ' + format(r.non_2xx, ',') if r.non_2xx else ''}  "
                    f"(server {r.server_cpu:.2f} cores, wrk {r.wrk_cpu:.2f}, others {100 * r.noise:.0f}% of the machine)")
    results = [merge(rounds) for rounds in per_run.values()]

    probes = {}
    if not args.only or re.search(args.only, "probes"):
        say("- probes: serve() for the demo, load of the 10,000-example collection (3 fresh processes each)")
        probes["demo"] = probe("demo")
        for n in (10000, 50000):
            path = WORK / f"gen{n}.postman_collection.json"
            if path.is_file():
                probes[f"load{n}"] = probe("load", str(path))
                probes[f"misses{n}"] = probe("misses", str(path), str(n), repeat=1)
            probes[f"onepath{n}"] = probe("onepath", str(n), repeat=1)
        for k, v in probes.items():
            say(f"    {k}: " + ", ".join(f"{a} {b:.3f}" for a, b in v.items() if isinstance(b, float)))

    targets = ratios(results, probes)
    cmdline = "bench/run" + ("" if argv is None and len(sys.argv) < 2 else " " + " ".join(argv or sys.argv[1:]))
    meta = {"when": when, "command": cmdline.strip(), "machine": machine(), "versions": versions(),
            "threads": args.threads, "connections": args.connections, "duration": args.duration,
            "warmup": args.warmup, "repeat": args.repeat,
            "workloads": {k: v.title for k, v in loads.items()}}
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    data = {"meta": meta, "results": [asdict(r) for r in results], "probes": probes, "targets": targets}
    md = markdown(meta, results, probes, targets)
    for name in (f"results-{stamp}", "latest"):
        (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=1))
        (RESULTS / f"{name}.md").write_text(md)
    charted = chart(RESULTS / "latest.png", results, meta)
    if charted:
        shutil.copyfile(RESULTS / "latest.png", RESULTS / f"results-{stamp}.png")
    say("\n" + md)
    say(f"bench: wrote bench/results/results-{stamp}.{{md,json{',png' if charted else ''}}} (and latest.*)")
    leftovers = [r.run_id for r in results if not r.port_freed]
    if leftovers:
        say(f"bench: ports still busy after stopping: {leftovers}")
    return 0 if all(r.ok for r in results) and not leftovers else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench: interrupted; every server started so far has been stopped", file=sys.stderr)
        sys.exit(130)
