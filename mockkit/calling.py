"""Sending requests to a running mock with httpx: ``request`` and one method per HTTP verb.

A mixin: ``MockServer`` gives it the client (``_http``, bound to the server's URL, refusing
when the server is stopped), so the calling vocabulary reads the same wherever a mock has a URL.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ["HttpCalls"]


class HttpCalls(ABC):
    """``request``, ``get``, ``post``, ``put``, ``patch``, ``delete``, ``head`` and ``options``
    over the httpx client that ``_http`` returns."""

    @abstractmethod
    def _http(self) -> "httpx.Client":
        """The client to send with (raises when the mock cannot be called)."""

    def request(self, method: str, path: str, **kwargs: Any) -> "httpx.Response":
        """Send a request to this server with httpx.

        Args:
            method: the HTTP method (``"GET"``, ``"POST"``...).
            path: the path and query relative to ``url`` (``"/users/42?page=2"``), or a full URL.
            **kwargs: what ``httpx.Client.request`` takes: ``params``, ``headers``, ``json``,
                ``content``, ``data``, ``files``, ``timeout`` (s; default 30)...

        Returns:
            The ``httpx.Response``; its ``x-mockkit-call`` header is the call's id in the call
            log, which ``explain(response)`` reads.

        Raises:
            ServerError: this server is stopped.

        Examples:
            ```python
            r = mock.request("PATCH", "/users/42", json={"name": "Ada"},
                             headers={"x-mock-response-code": "200"})
            r.json()
            ```
        """
        return self._http().request(method, path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> "httpx.Response":
        """Send a GET request: ``request("GET", path, **kwargs)``.

        Args:
            path: the path and query (``"/users?page=2"``).
            **kwargs: as ``request`` (``params``, ``headers``...).

        Returns:
            The ``httpx.Response``.

        Raises:
            ServerError: this server is stopped.

        Examples:
            ```python
            mock.get("/users", params={"page": 2}, headers={"x-mock-response-name": "Users, page 2"})
            ```
        """
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> "httpx.Response":
        """Send a POST request: ``request("POST", path, **kwargs)``.

        Args:
            path: the path and query.
            **kwargs: as ``request`` (``json``, ``content``, ``data``, ``headers``...).

        Returns:
            The ``httpx.Response``.

        Raises:
            ServerError: this server is stopped.

        Examples:
            ```python
            mock.post("/users", json={"name": "Ada"}).status_code      # 201, if the example says so
            ```
        """
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> "httpx.Response":
        """Send a PUT request: ``request("PUT", path, **kwargs)``.

        Args:
            path: the path and query.
            **kwargs: as ``request``.

        Returns:
            The ``httpx.Response``.

        Raises:
            ServerError: this server is stopped.

        Examples:
            ```python
            mock.put("/users/42", json={"name": "Ada Lovelace"})
            ```
        """
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> "httpx.Response":
        """Send a PATCH request: ``request("PATCH", path, **kwargs)``.

        Args:
            path: the path and query.
            **kwargs: as ``request``.

        Returns:
            The ``httpx.Response``.

        Raises:
            ServerError: this server is stopped.

        Examples:
            ```python
            mock.patch("/users/42", json={"email": "ada@example.com"})
            ```
        """
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> "httpx.Response":
        """Send a DELETE request: ``request("DELETE", path, **kwargs)``.

        Args:
            path: the path and query.
            **kwargs: as ``request``.

        Returns:
            The ``httpx.Response``.

        Raises:
            ServerError: this server is stopped.

        Examples:
            ```python
            mock.delete("/users/42", headers={"x-mock-response-code": "204"})
            ```
        """
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> "httpx.Response":
        """Send a HEAD request: ``request("HEAD", path, **kwargs)``; the example's headers come
        back without its body.

        Args:
            path: the path and query.
            **kwargs: as ``request``.

        Returns:
            The ``httpx.Response`` (an empty body).

        Raises:
            ServerError: this server is stopped.

        Examples:
            ```python
            mock.head("/users/42").headers["content-type"]
            ```
        """
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> "httpx.Response":
        """Send an OPTIONS request: ``request("OPTIONS", path, **kwargs)``. With an ``Origin``
        and ``Access-Control-Request-Method`` header it is a CORS pre-flight, which the mock
        answers as a browser expects (spec 9.8) unless ``cors=False``.

        Args:
            path: the path and query.
            **kwargs: as ``request``.

        Returns:
            The ``httpx.Response``.

        Raises:
            ServerError: this server is stopped.

        Examples:
            ```python
            mock.options("/users", headers={"origin": "http://localhost:5173",
                                            "access-control-request-method": "POST"})
            ```
        """
        return self.request("OPTIONS", path, **kwargs)
