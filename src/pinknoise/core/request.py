"""The parts of an HTTP request that a static file decision depends on."""

from __future__ import annotations


class Request:
    """Method, query string and the request header fields the core reads.

    Adapters fill it from their own protocol objects; a header that is absent is ``None``.
    Values are the raw field values (for WSGI, what the server put in ``environ``).
    Arguments may be given by position, in the order of ``__init__``, which is the
    cheapest way to build one per request.
    """

    __slots__ = (
        "accept_encoding",
        "available_dictionary",
        "if_match",
        "if_modified_since",
        "if_none_match",
        "if_range",
        "if_unmodified_since",
        "method",
        "query",
        "range",
    )

    def __init__(
        self,
        method: str,
        query: str = "",
        accept_encoding: str | None = None,
        range: str | None = None,
        if_range: str | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        if_modified_since: str | None = None,
        if_unmodified_since: str | None = None,
        available_dictionary: str | None = None,
    ) -> None:
        self.method = method
        self.query = query
        self.accept_encoding = accept_encoding
        self.range = range
        self.if_range = if_range
        self.if_match = if_match
        self.if_none_match = if_none_match
        self.if_modified_since = if_modified_since
        self.if_unmodified_since = if_unmodified_since
        self.available_dictionary = available_dictionary


#: The request header fields the core reads, in :class:`Request`'s positional order after
#: method and query: (attribute, WSGI environ key, header name as ASGI/RSGI spell it).
#: Every adapter builds its requests from this one table.
FIELDS: tuple[tuple[str, str, str], ...] = tuple(
    (attribute, "HTTP_" + attribute.upper(), attribute.replace("_", "-"))
    for attribute in (
        "accept_encoding",
        "range",
        "if_range",
        "if_match",
        "if_none_match",
        "if_modified_since",
        "if_unmodified_since",
        "available_dictionary",
    )
)
