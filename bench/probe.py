"""One-shot measurements in a fresh Python process; prints one JSON line.

    python bench/probe.py demo          # import mockkit, then time mockkit.serve() for the demo
    python bench/probe.py load FILE     # time MockEngine(FILE) and report RSS once it is loaded
"""

import json
import sys
import time


def rss_kib() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def main() -> None:
    mode = sys.argv[1]
    start = time.perf_counter()
    import mockkit

    imported = time.perf_counter()
    if mode == "demo":
        mock = mockkit.serve()
        served = time.perf_counter()
        ok = mock.get("/users").status_code == 200
        mock.stop()
        print(json.dumps({"import_s": imported - start, "serve_s": served - imported, "answered": ok}))
    elif mode == "load":
        before = rss_kib()
        engine = mockkit.MockEngine(sys.argv[2])
        loaded = time.perf_counter()
        after = rss_kib()
        print(json.dumps({"import_s": imported - start, "load_s": loaded - imported, "examples": len(engine.index),
                          "rss_before_mib": before["VmRSS"] / 1024, "rss_mib": after["VmRSS"] / 1024,
                          "hwm_mib": after["VmHWM"] / 1024}))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
