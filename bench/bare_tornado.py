"""The ceiling for our stack: a bare Tornado app (one RequestHandler) in one process.

    python bench/bare_tornado.py PORT

Answers GET /users/<id> with the same JSON body and Content-Type the four-endpoint workload's
mock servers send (workloads.USER_1); binds 127.0.0.1 only.
"""

import asyncio
import signal
import sys
from pathlib import Path

import tornado.web

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workloads import USER_1  # noqa: E402

BODY = USER_1.encode()


class User(tornado.web.RequestHandler):
    def get(self, user_id: str) -> None:
        self.set_header("Content-Type", "application/json")
        self.write(BODY)


async def main(port: int) -> None:
    app = tornado.web.Application([(r"/users/([^/]+)", User)])
    app.listen(port, address="127.0.0.1")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
