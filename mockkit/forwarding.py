"""A forwarded call, from the engine's plan to the answer and its call-log entry (issue 16).

``MockEngine.handle`` decides (``recording.forward_reason``) and returns a ``Served`` whose
``forward`` is a ``recording.ForwardPlan``. The door that received the call (the server's
``MockApp``, the httpx transport) holds one ``Forwarder``, which holds the ``proxy.Upstream``
(its pooled connections) for every engine generation, and runs the plan: ``await
forwarder.run(plan)`` on the server's loop (other clients are served meanwhile) or
``forwarder.run_sync(plan)`` in the sync transport. It returns the final ``Served``: the
upstream's answer (or the 502 naming why there is none), with ``Served.forwarded`` and the call
log's ``Call.forwarded`` holding the facts (``journal.Forwarded``). Recording runs on a worker
thread (it builds the next engine generation) before the answer is sent, so the next identical
request is answered from it.

The engine never imports this module (nor httpx): it only plans.
"""

from __future__ import annotations

import threading

import anyio.to_thread

from .engine import Served
from .hygiene import Redaction
from .journal import Forwarded
from .options import MockOptions
from .proxy import Exchange, Upstream, UpstreamFailure, failure_answer, forwarded_answer
from .recording import ForwardPlan, Outcome

__all__ = ["Forwarder"]


class Forwarder:
    """A door's link to the upstream: one ``proxy.Upstream`` (made on first use, from the
    options of the engine that planned the call) for every engine generation the door serves.

    Examples:
        ```python
        forwarder = Forwarder()                          # what MockApp and the transport hold
        served = engine.handle(request)
        if served.forward is not None:
            served = await forwarder.run(served.forward, target="/users/7?page=2")
        ```
    """

    def __init__(self) -> None:
        """No upstream yet: the first plan makes it."""
        self._upstream: Upstream | None = None
        self._lock = threading.Lock()

    def upstream(self, options: MockOptions) -> Upstream:
        """The upstream, made from ``options`` on first use.

        Args:
            options (MockOptions): the options of the engine that planned the call (``proxy`` set).

        Returns:
            Upstream: the one upstream of this door.

        Raises:
            ConfigError: (a ``ValueError``) when ``options.proxy`` is None.

        Examples:
            ```python
            Forwarder().upstream(MockOptions(proxy="http://127.0.0.1:8080")).base
            ```
        """
        with self._lock:
            if self._upstream is None:
                self._upstream = Upstream(options)
            return self._upstream

    async def run(self, plan: ForwardPlan, target: str | None = None) -> Served:
        """Forward the call on the running event loop, record the answer (on a worker thread,
        when the mock records), log the call, and return the answer to send.

        Args:
            plan (ForwardPlan): what the engine planned.
            target (str | None): the request target as received (``/a?b=1``), so the query goes
                upstream exactly as sent.

        Returns:
            Served: the upstream's answer, or a 502 naming why there is none; ``forwarded``
            holds the facts (``journal.Forwarded``).

        Examples:
            ```python
            served = await forwarder.run(served.forward, target="/users/7?page=2")
            ```
        """
        got = await self.upstream(plan.engine.options).exchange(plan.request, target)
        outcome = None
        if isinstance(got, Exchange) and plan.engine.recorder is not None:
            outcome = await anyio.to_thread.run_sync(_record, plan, got)
        return finish(plan, got, outcome)

    def run_sync(self, plan: ForwardPlan, target: str | None = None) -> Served:
        """``run`` for a caller without an event loop (the sync httpx transport).

        Args:
            plan (ForwardPlan): what the engine planned.
            target (str | None): the request target as received.

        Returns:
            Served: as ``run``.

        Examples:
            ```python
            served = forwarder.run_sync(served.forward, "/users/7")
            ```
        """
        got = self.upstream(plan.engine.options).exchange_sync(plan.request, target)
        outcome = _record(plan, got) if isinstance(got, Exchange) and plan.engine.recorder is not None else None
        return finish(plan, got, outcome)

    async def aclose(self) -> None:
        """Close the upstream's pooled connections of the running loop (a server that stops).

        Examples:
            ```python
            await forwarder.aclose()
            ```
        """
        if self._upstream is not None:
            await self._upstream.aclose()

    def close(self) -> None:
        """Close the upstream's sync connections (a transport that is done).

        Examples:
            ```python
            forwarder.close()
            ```
        """
        if self._upstream is not None:
            self._upstream.close()


def _record(plan: ForwardPlan, got: Exchange) -> Outcome:
    recorder = plan.engine.recorder
    assert recorder is not None
    try:
        return recorder.record(plan.request, got)
    except Exception as exc:  # the client still gets the upstream's answer; the call log says why
        return Outcome(not_recorded=f"recording failed: {type(exc).__name__}: {exc}")


def finish(plan: ForwardPlan, got: Exchange | UpstreamFailure, outcome: Outcome | None) -> Served:
    """The answer for ``got`` (the upstream's, or a 502 in Postman's error shape), logged in the
    call log with the facts (secret response headers redacted there too).

    Args:
        plan (ForwardPlan): what the engine planned.
        got (Exchange | UpstreamFailure): what the upstream answered, or why not.
        outcome (Outcome | None): what recording did (None: the mock does not record, or there
            was no answer).

    Returns:
        Served: the answer to send, with ``forwarded`` set.

    Examples:
        ```python
        finish(plan, Forwarder().upstream(plan.engine.options).exchange_sync(plan.request), None)
        ```
    """
    engine, origin = plan.engine, plan.request.header("origin")
    if isinstance(got, Exchange):
        response, error = forwarded_answer(got, origin, cors=engine.cors), ""
        status, cause = got.status, ""
    else:
        response, error = failure_answer(got, origin, cors=engine.cors), got.name
        status, cause = 0, got.cause
    outcome = outcome or Outcome()
    facts = Forwarded(url=got.url, reason=plan.reason, mode=engine.options.record, status=status, ms=got.ms,
                      error=error, cause=cause, recorded_as=outcome.recorded_as, example_id=outcome.example_id,
                      refreshed=outcome.refreshed, not_recorded=outcome.not_recorded, redacted=outcome.redacted)
    logged = Redaction(engine.options.redact).headers(response.headers)  # no Set-Cookie in the call log
    engine.log_forwarded(plan.call_id, plan.request, plan.ranking, plan.started, response.status, error, logged,
                         facts)
    return Served(response, plan.ranking, None, plan.call_id, plan.delay_ms, (), forwarded=facts)
