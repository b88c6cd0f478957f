"""The notebook case: ``mockkit.serve(...)`` in a Python process, then the main thread waits.

    python bench/inproc.py COLLECTION PORT [--journal-size N]

The server runs in mockkit's daemon thread, exactly as in a notebook kernel (whose main thread
sits idle between cells); the call log is on (journal_size 1000, the default) unless
``--journal-size`` says otherwise. Prints one JSON line with the time ``serve()`` took.
"""

import argparse
import json
import signal
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("collection")
parser.add_argument("port", type=int)
parser.add_argument("--journal-size", type=int, default=None)
args = parser.parse_args()

start = time.perf_counter()
import mockkit  # noqa: E402

imported = time.perf_counter()
options = {} if args.journal_size is None else {"journal_size": args.journal_size}
mock = mockkit.serve(args.collection, port=args.port, **options)
served = time.perf_counter()
print(json.dumps({"import_s": imported - start, "serve_s": served - imported, "url": mock.url}), flush=True)

done = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: done.set())
signal.signal(signal.SIGINT, lambda *_: done.set())
while not done.wait(3600):  # bounded by the signal: the bench stops this process by PID
    pass
mock.stop()
