"""A forwarded call, from the engine's decision to the answer and its call-log entry (issue 16).

``MockEngine.handle`` decides (``recording.forward_reason``) and returns a ``Served`` whose
``forward`` is a ``Forwarding``: the plan. The door runs it, ``await forwarding.run()`` on the
server's loop (other clients are served meanwhile) or ``forwarding.run_sync()`` in the sync
httpx transport, and gets the final ``Served``: the upstream's answer (or the 502 naming why there
is none), with ``Served.forwarded`` and the call log's ``Call.forwarded`` holding the facts
(``journal.Forwarded``). Recording runs on a worker thread (it builds the next engine
generation) before the answer is sent, so the next identical request is answered from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio.to_thread

from .hygiene import Redaction
from .journal import Forwarded
from .matching import Ranking
from .model import MockRequest
from .proxy import Exchange, Upstream, UpstreamFailure, failure_answer, forwarded_answer
from .recording import Outcome

if TYPE_CHECKING:  # pragma: no cover
    from .engine import MockEngine, Served

__all__ = ["Forwarding"]


@dataclass(frozen=True, slots=True, eq=False)
class Forwarding:
    """A call to forward: the plan ``MockEngine.handle`` returns in ``Served.forward``.

    Attributes:
        engine (MockEngine): the engine generation that decided.
        request (MockRequest): the request.
        ranking (Ranking): its ranking (explained later as a forwarded call).
        call_id (str): its call-log id (``x-mockkit-call``).
        started (float): when it started (``time.perf_counter()``, seconds).
        delay_ms (int | None): the delay to apply after the upstream answered (ms).
        reason (str): why it is forwarded (``recording.FORWARD_REASONS``).

    Example:
        ```python
        served = engine.handle(request)                 # what the server does
        if served.forward is not None:
            served = await served.forward.run(target="/users/7?page=2")
        ```
    """

    engine: MockEngine
    request: MockRequest
    ranking: Ranking
    call_id: str
    started: float
    delay_ms: int | None
    reason: str

    @property
    def upstream(self) -> Upstream:
        """The engine's upstream (``MockOptions.proxy``).

        Returns:
            Upstream: the upstream this call goes to.

        Example:
            ```python
            served.forward.upstream.base      # 'http://127.0.0.1:8080'
            ```
        """
        upstream = self.engine.upstream
        assert upstream is not None, "a Forwarding is made only by an engine with a proxy"
        return upstream

    async def run(self, target: str | None = None) -> Served:
        """Forward the call on the running event loop, record the answer (on a worker thread, when the
        mock records), log the call, and return the answer to send.

        Args:
            target (str | None): the request target as received (``/a?b=1``), so the query goes
                upstream exactly as sent.

        Returns:
            Served: the upstream's answer, or a 502 naming why there is none; ``forwarded`` holds the
            facts (``journal.Forwarded``).

        Example:
            ```python
            served = await served.forward.run(target="/users/7?page=2")
            ```
        """
        got = await self.upstream.exchange(self.request, target)
        outcome = None
        if isinstance(got, Exchange) and self.engine.recorder is not None:
            outcome = await anyio.to_thread.run_sync(self._record, got)
        return self.finish(got, outcome)

    def run_sync(self, target: str | None = None) -> Served:
        """``run`` for a caller without an event loop (the sync httpx transport).

        Args:
            target (str | None): the request target as received.

        Returns:
            Served: as ``run``.

        Example:
            ```python
            served = served.forward.run_sync("/users/7")
            ```
        """
        got = self.upstream.exchange_sync(self.request, target)
        outcome = self._record(got) if isinstance(got, Exchange) and self.engine.recorder is not None else None
        return self.finish(got, outcome)

    def _record(self, got: Exchange) -> Outcome:
        recorder = self.engine.recorder
        assert recorder is not None
        try:
            return recorder.record(self.request, got)
        except Exception as exc:  # the client still gets the upstream's answer; the call log says why
            return Outcome(not_recorded=f"recording failed: {type(exc).__name__}: {exc}")

    def finish(self, got: Exchange | UpstreamFailure, outcome: Outcome | None) -> Served:
        """The answer for ``got`` (the upstream's, or a 502 in Postman's error shape), logged in the
        call log with the facts (secret response headers redacted there too).

        Args:
            got (Exchange | UpstreamFailure): what the upstream answered, or why not.
            outcome (Outcome | None): what recording did (None: the mock does not record, or there
                was no answer).

        Returns:
            Served: the answer to send, with ``forwarded`` set.

        Example:
            ```python
            forwarding.finish(upstream.exchange_sync(forwarding.request), None).response.status
            ```
        """
        from .engine import Served

        engine, origin = self.engine, self.request.header("origin")
        if isinstance(got, Exchange):
            response, error = forwarded_answer(got, origin, cors=engine.cors), ""
            status, cause = got.status, ""
        else:
            response, error = failure_answer(got, origin, cors=engine.cors), got.name
            status, cause = 0, got.cause
        outcome = outcome or Outcome()
        facts = Forwarded(url=got.url, reason=self.reason, mode=engine.options.record, status=status, ms=got.ms,
                          error=error, cause=cause, recorded_as=outcome.recorded_as, example_id=outcome.example_id,
                          refreshed=outcome.refreshed, not_recorded=outcome.not_recorded, redacted=outcome.redacted)
        logged = Redaction(engine.options.redact).headers(response.headers)  # no Set-Cookie in the call log
        engine.log_forwarded(self.call_id, self.request, self.ranking, self.started, response.status, error, logged,
                             facts)
        return Served(response, self.ranking, None, self.call_id, self.delay_ms, (), forwarded=facts)
