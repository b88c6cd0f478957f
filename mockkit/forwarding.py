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
    """A call to forward: the ``engine`` that decided, the ``request`` and its ``ranking``, the
    call's journal id, when it started (``time.perf_counter()``), its delay (ms, applied after
    the upstream answered) and why it is forwarded (``recording.FORWARD_REASONS``).

    Example (what the server does)::

        served = engine.handle(request)
        if served.forward is not None:
            served = await served.forward.run(target="/users/7?page=2")
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
        """The engine's upstream (``MockOptions.proxy``)."""
        upstream = self.engine.upstream
        assert upstream is not None, "a Forwarding is made only by an engine with a proxy"
        return upstream

    async def run(self, target: str | None = None) -> Served:
        """Forward, record (on a worker thread), log, and return the answer to send. ``target``:
        the request target as received, so the query goes upstream exactly as sent."""
        got = await self.upstream.exchange(self.request, target)
        outcome = None
        if isinstance(got, Exchange) and self.engine.recorder is not None:
            outcome = await anyio.to_thread.run_sync(self._record, got)
        return self.finish(got, outcome)

    def run_sync(self, target: str | None = None) -> Served:
        """``run`` for a caller without an event loop (the sync httpx transport)."""
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
        """The answer for ``got`` (the upstream's, or a 502), logged with the facts."""
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
