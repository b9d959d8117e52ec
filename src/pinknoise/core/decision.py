"""The request decision: given a catalog entry and a request, which response.

This is the single decision path every adapter shares. It follows RFC 9110: method
check, content negotiation, preconditions in §13.2.2's order, then Range (§14).
"""

from __future__ import annotations

from typing import Final

from pinknoise.core.conditional import etag_list_matches
from pinknoise.core.dictionaries import DELTA_CODING, parse_available_dictionary
from pinknoise.core.files import Entry, Redirect, Representation, StaticFile
from pinknoise.core.http_dates import parse_http_date
from pinknoise.core.negotiation import IDENTITY, choose_coding
from pinknoise.core.ranges import UNSATISFIABLE, parse_range
from pinknoise.core.request import Request
from pinknoise.core.response import Response

ALLOWED_METHODS: Final = ("GET", "HEAD")
NOT_ALLOWED: Final = Response(405, (("Allow", "GET, HEAD"), ("Content-Length", "0")))


def decide(entry: Entry, request: Request) -> Response:
    """The response for ``request`` to a URL whose catalog entry is ``entry``."""
    method = request.method
    if method != "GET" and method != "HEAD":
        return NOT_ALLOWED
    if isinstance(entry, Redirect):
        return _redirect(entry, request)
    if entry.deltas and request.available_dictionary is not None:
        representation = _delta(entry, request) or _negotiate(entry, request.accept_encoding)
    elif entry.codings:
        accept_encoding = request.accept_encoding
        negotiated = entry.negotiated
        if negotiated is not None and negotiated[0] == accept_encoding:
            representation = negotiated[1]
        else:
            representation = _negotiate(entry, accept_encoding)
            entry.negotiated = (accept_encoding, representation)
    else:
        representation = entry.identity
    if_none_match = request.if_none_match
    if request.range is None and request.if_match is None and request.if_unmodified_since is None:
        if if_none_match is None and request.if_modified_since is None:
            return representation.ok if method == "GET" else _head(representation)
        if if_none_match == representation.etag:
            return representation.not_modified  # the browser revalidation fast path
    return _conditional(entry, representation, request)


def _negotiate(entry: StaticFile, accept_encoding: str | None) -> Representation:
    coding = choose_coding(accept_encoding, entry.codings)
    return entry.identity if coding == IDENTITY else entry.variants[coding]


def _delta(entry: StaticFile, request: Request) -> Representation | None:
    """The dcz delta against the client's dictionary, if we have it and dcz is accepted."""
    assert request.available_dictionary is not None
    digest = parse_available_dictionary(request.available_dictionary)
    delta = entry.deltas.get(digest) if digest is not None else None
    if delta is None or choose_coding(request.accept_encoding, (DELTA_CODING,)) != DELTA_CODING:
        return None
    return delta


def _conditional(entry: StaticFile, representation: Representation, request: Request) -> Response:
    etag = representation.etag
    # Step 1-2: If-Match, else If-Unmodified-Since; failing either is a 412.
    if request.if_match is not None:
        if not etag_list_matches(request.if_match, etag, strong=True):
            return _precondition_failed(representation)
    elif request.if_unmodified_since is not None:
        since = parse_http_date(request.if_unmodified_since)
        if since is not None and entry.last_modified > since:
            return _precondition_failed(representation)
    # Step 3-4: If-None-Match (weak comparison), else If-Modified-Since; a match is a 304.
    if request.if_none_match is not None:
        if etag_list_matches(request.if_none_match, etag, strong=False):
            return representation.not_modified
    elif request.if_modified_since is not None and _not_modified_since(
        entry, request.if_modified_since
    ):
        return representation.not_modified
    # Step 5: Range, for GET only, guarded by If-Range.
    if request.method == "HEAD":
        return _head(representation)
    if request.range is not None and _if_range_holds(entry, representation, request.if_range):
        byte_slice = parse_range(request.range, representation.size)
        if byte_slice == UNSATISFIABLE:
            return Response(416, representation.unsatisfiable_headers())
        if isinstance(byte_slice, tuple):
            start, stop = byte_slice
            headers = representation.partial_headers(start, stop)
            return Response(206, headers, representation, start, stop - start)
    return representation.ok


def _not_modified_since(entry: StaticFile, value: str) -> bool:
    if value == entry.last_modified_header:
        return True
    since = parse_http_date(value)
    return since is not None and entry.last_modified <= since


def _if_range_holds(entry: StaticFile, representation: Representation, value: str | None) -> bool:
    """If-Range (RFC 9110 §13.1.5): an entity tag compared strongly, or an exact date."""
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return etag_list_matches(value, representation.etag, strong=True) and "," not in value
    return parse_http_date(value) == entry.last_modified


def _head(representation: Representation) -> Response:
    return Response(200, representation.headers)


def _precondition_failed(representation: Representation) -> Response:
    return Response(412, (("Content-Length", "0"), *representation.not_modified_headers))


def _redirect(entry: Redirect, request: Request) -> Response:
    location = f"{entry.location}?{request.query}" if request.query else entry.location
    return Response(302, (("Location", location), ("Content-Length", "0")))
