"""What the core decides: a status, the header list, and which bytes of which file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pinknoise.core.files import Representation

Headers = tuple[tuple[str, str], ...]

REASONS: Final[dict[int, str]] = {
    200: "OK",
    206: "Partial Content",
    302: "Found",
    304: "Not Modified",
    404: "Not Found",
    405: "Method Not Allowed",
    412: "Precondition Failed",
    416: "Range Not Satisfiable",
}


class Response:
    """A decided response; adapters only translate it to their protocol.

    ``body`` is ``None`` for responses without content (HEAD, 304, 405, ...). Otherwise
    the adapter sends ``length`` bytes of ``body.path`` starting at ``start``; the
    headers already carry the matching Content-Length (and Content-Range for a 206).
    """

    __slots__ = ("body", "headers", "length", "start", "status")

    def __init__(
        self,
        status: int,
        headers: Headers,
        body: Representation | None = None,
        start: int = 0,
        length: int = 0,
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.start = start
        self.length = length

    @property
    def is_whole_file(self) -> bool:
        """True when the body is the entire file, so sendfile/pathsend can be used."""
        return self.body is not None and self.start == 0 and self.length == self.body.size

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.body and self.body.path!r}>"
