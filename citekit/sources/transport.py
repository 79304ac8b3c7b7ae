"""The ``requests`` session that arxiv and pyalex send through: bounded, with a deadline.

The only module importing ``requests`` (the transport of ``arxiv`` and ``pyalex``, which
set no timeout and read a whole body into memory). :class:`BoundedSession` applies
``Settings.timeout`` to every socket read, reads the body itself one socket read at a
time, decoded (so the limit bounds what a gzip answer inflates to), refuses a body over
its limit, and stops reading at the request's deadline (:class:`~.http.Stop`), also when
the caller has stopped waiting for its thread. :meth:`BoundedSession.checked` lets a
source look at each answer before its library parses it.
"""

from __future__ import annotations

from typing import Any

import requests

from .http import Problem, Stop, read_capped

__all__ = ["BoundedSession", "RequestException", "Response", "Timeout"]

Timeout = requests.Timeout
RequestException = requests.RequestException
Response = requests.Response
_CHUNK = 16 * 1024


class BoundedSession(requests.Session):
    """A session with a read timeout, a body limit and a deadline (``stop``) per request."""

    def __init__(self, timeout: float, limit: int) -> None:
        super().__init__()
        self.timeout = timeout
        self.limit = limit
        self.stop: Stop | None = None  # the current request's deadline, set by the caller

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        stop = self.stop  # taken now: a later request sets its own
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        kwargs["stream"] = True  # the body is read below, up to the limit
        response = super().request(method, url, *args, **kwargs)
        response._content = self._body(response, stop)
        self.checked(response)
        return response

    def checked(self, response: requests.Response) -> None:
        """A hook: raise for an answer the source's library must not see."""

    def _body(self, response: requests.Response, stop: Stop | None) -> bytes:
        """The whole (decoded) body, or Problem when it is (or says it will be) larger than
        the limit, or when the request's deadline passes while it is read."""
        declared = response.headers.get("Content-Length", "").strip()
        try:
            if declared.isdigit() and int(declared) > self.limit:
                raise Problem(f"answer too large ({int(declared)} bytes)", retryable=False)
            # read1: one socket read per chunk (a trickling server cannot hold one open)
            chunks = iter(lambda: response.raw.read1(_CHUNK, decode_content=True), b"")
            return read_capped(chunks, self.limit, stop)
        except Problem:
            raise
        except Exception as exc:  # urllib3's read errors (protocol, decoding, timeout)
            raise Problem(f"connection failed ({type(exc).__name__})") from None
        finally:
            response.close()
