"""Validated configuration shared by every adapter.

The argument names are WhiteNoise's, so that migrating is a rename. Every value is
checked once, at construction, so a typo fails loudly at start-up instead of silently
serving with the wrong caching policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from wsgiref.headers import Headers

from pinknoise.core.codings import DEFAULT_ORDER, validate_codings

#: ``immutable_file_test(path, url)``: True when the file's content is fixed by its name.
ImmutableTest = Callable[[str, str], bool]
#: ``add_headers_function(headers, path, url)`` edits the headers of one file in place.
AddHeadersFunction = Callable[[Headers, str, str], None]

DEFAULT_MAX_AGE: Final = 60
IMMUTABLE_MAX_AGE: Final = 31_536_000  # one year, RFC 8246's recommendation for immutable
# Small bodies are kept in memory after their first request: no open/read/close per hit.
DEFAULT_MEMORY_CACHE_FILE: Final = 128 * 1024
DEFAULT_MEMORY_CACHE_BUDGET: Final = 64 * 1024 * 1024
# Seconds a file that is not opened for a request (held in memory, or sent by path) is
# trusted before it is stat-ed again to see whether it changed.
DEFAULT_RECHECK_INTERVAL: Final = 1.0


def pure(test: ImmutableTest) -> ImmutableTest:
    """Mark an ``immutable_file_test`` as cheap and free of side effects.

    Catalog entries are normally prepared on a file's first request; a user's own test
    makes the server prepare every entry at start-up instead, so that a test that
    raises fails there and not in a request. Tests built from a regex or a manifest are
    declared pure and keep preparation lazy.
    """
    setattr(test, _PURE_MARK, True)
    return test


def is_pure(test: ImmutableTest) -> bool:
    return bool(getattr(test, _PURE_MARK, False))


_PURE_MARK: Final = "pinknoise_pure"


# A content hash right before the extension(s), separated by "." or "-":
#   hex, 8-64 digits, at least one letter a-f     Django (12), webpack (20), Parcel, ...
#   base32 upper-case, 8 characters, with a digit  esbuild ("app-5XCIK5YM.js")
#   base64url, 8 characters, that does not read as a name  Rollup/Vite ("index-BvG1l0Ao.js")
# The composition checks keep words ("jquery-dropdown.js") and dates or versions
# ("app.20240101.js") out: treating a mutable file as immutable is the costly mistake.
_HEX_OR_BASE32: Final = re.compile(
    r"""[.-](?P<hash>
        (?=[0-9a-f]*[a-f])[0-9a-f]{8,64}
      | (?=[A-Z2-7]*[2-7])(?=[A-Z2-7]*[A-Z])[A-Z2-7]{8}
    )$""",
    re.VERBOSE | re.ASCII,
)
_BASE64URL: Final = re.compile(r"[.-](?P<hash>[A-Za-z0-9_-]{8})$", re.ASCII)
_EXTENSION: Final = re.compile(r"\.[A-Za-z0-9]+$", re.ASCII)

# The pieces a name is made of: a capitalised or lower-case word, an acronym, a number,
# a separator. The acronym stops before a capital that starts a word ("HTMLPage").
_NAME_PART: Final = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+|[_-]", re.ASCII)
# Names with digits inside words, read as one lower-case word.
_DIGIT_WORDS: Final = re.compile(
    r"i18n|l10n|a11y|e2e|2fa|3d|mp3|mp4|h264|h265|utf8|b64|x86|x64|es5|es6|v8|oauth2|web3",
    re.IGNORECASE | re.ASCII,
)
# Common words and abbreviations without a vowel, or with an unusual start.
_VOWELLESS: Final = frozenset(
    str.split(
        "btn cfg msg pkg src ctx cmd ctl ctrl hdr img svg css scss js ts jsx tsx lst mgr "
        "pwd rpc sdk std str tbl txt url xml html http https xhr jwt csrf cdn dns tcp db "
        "fn px sm md lg xs xl bg fg rx vm pm nth mdx gql nginx faq"
    )
)
# How an English word may start with two consonants (Rollup's random letters mostly
# do not: "Dzwcl", "Xwyhd").
_ONSETS: Final = frozenset(
    str.split(
        "bl br ch cl cr dr dw fl fr gh gl gn gr kl kn kr mn ph pl pn pr ps rh sc sh sk sl "
        "sm sn sp sq st sv sw th tr ts tw vl wh wr"
    )
)
_VOWEL_RUN: Final = re.compile(r"[aeiouy]")
_CONSONANTS_4: Final = re.compile(r"[^aeiouy]{4}")
_LEADING_CONSONANTS: Final = re.compile(r"[^aeiouy]+")
_CAPITAL_WORD_NUMBER: Final = re.compile(r"([A-Z]+?)V?[0-9]{1,2}", re.ASCII)


def _is_capital_word_number(candidate: str) -> bool:
    """``ACCOUNT2``, ``SEARCHV2``: a word and a number, though valid base32 (esbuild)."""
    shape = _CAPITAL_WORD_NUMBER.fullmatch(candidate)
    return shape is not None and _reads_as_word(shape.group(1))


def _reads_as_word(part: str) -> bool:
    """Could this letters-only piece (``Page``, ``view``, ``Btn``) be a word?"""
    word = part.lower()
    if word in _VOWELLESS:
        return True
    if len(word) < 2 or not _VOWEL_RUN.search(word):
        return False
    if len(word) >= 5 and not re.search(r"[aeiou]", word):  # "sync" yes, "xwyhd" no
        return False
    if re.search(r"q(?!u)", word) or _CONSONANTS_4.search(word):
        return False
    start = _LEADING_CONSONANTS.match(word)
    return start is None or len(start.group()) < 2 or start.group()[:2] in _ONSETS


def _reads_as_name(candidate: str) -> bool:
    """Does an 8-character base64url string read as a name someone typed?

    A name is words (``Page``, ``view``, ``Btn``), acronyms of at most four capitals
    (``HTML``, ``V``), at most one number and single ``_``/``-`` separators between them;
    a word has a vowel, starts the way English words start, has no four consonants in a
    row and no ``q`` without ``u``; a name has at most one all-capitals piece, and a
    number is not followed by a lower-case word. ``PageView``, ``BtnGroup``,
    ``NavBarV2``, ``Modal-V2``, ``Button12``, ``DROPDOWN`` are names; Rollup's random
    ``BAgTqYqV``, ``Dzwcl_yp``, ``Deep-Dzw`` are not.
    """
    if (candidate.isalpha() and candidate.isupper()) or _is_capital_word_number(candidate):
        return True
    parts = _NAME_PART.findall(_DIGIT_WORDS.sub("word", candidate))
    numbers = capitals = 0
    for index, part in enumerate(parts):
        after = parts[index + 1] if index + 1 < len(parts) else None
        if part in ("_", "-"):
            if index == 0 or parts[index - 1] in ("_", "-") or after is None:
                return False
        elif part.isdigit():
            numbers += 1
            if numbers > 1 or (after is not None and after[0].islower()):
                return False
        elif part.isupper():
            capitals += 1
            if capitals > 1 or len(part) > 4:
                return False
            if len(part) == 1 and not (after is None or after.isdigit() or after in "_-"):
                return False
        elif not _reads_as_word(part):
            return False
    return True


def _is_random(candidate: str) -> bool:
    """Is an 8-character base64url string one of Rollup's hashes rather than a name?

    It must have a capital, a digit or an ``_`` (a lower-case word like ``dropdown``
    is taken for a name), and must not read as a name (see :func:`_reads_as_name`).
    Measured on 20,000 seeded random Rollup hashes this recognises about 97%; the rest
    read like names (``TehYjEgh``) and are served as mutable, the safe mistake.
    """
    if not re.search(r"[A-Z0-9_]", candidate):
        return False
    return not _reads_as_name(candidate)


def hash_span(name: str) -> tuple[int, int] | None:
    """Where the content hash sits in a file name, or None if it carries none.

    The hash ends right before the last one or two extensions (``.js``, ``.css.map``).
    """
    stem = name
    stems = []
    for _ in range(2):
        extension = _EXTENSION.search(stem)
        if extension is None:
            break
        stem = stem[: extension.start()]
        stems.append(stem)
    for stem in reversed(stems):
        match = _HEX_OR_BASE32.search(stem)
        if match is not None and _is_capital_word_number(match.group("hash")):
            match = None
        if match is None:
            match = _BASE64URL.search(stem)
            if match is not None and not _is_random(match.group("hash")):
                match = None
        if match is not None:
            return match.span("hash")
    return None


def is_hashed_name(path: str, url: str) -> bool:
    """The default ``immutable_file_test``: does the URL's file name carry a content hash?"""
    return hash_span(url[url.rfind("/") + 1 :]) is not None


pure(is_hashed_name)


@dataclass(frozen=True, slots=True)
class Options:
    """Every serving option, validated. Build it with :func:`make_options`."""

    max_age: int | None = DEFAULT_MAX_AGE
    immutable_file_test: ImmutableTest = is_hashed_name
    autorefresh: bool = False
    index_file: str | None = None
    mimetypes: Mapping[str, str] = field(default_factory=dict)
    charset: str = "utf-8"
    allow_all_origins: bool = True
    add_headers_function: AddHeadersFunction | None = None
    encodings: tuple[str, ...] = DEFAULT_ORDER
    allow_external_symlinks: bool = False
    memory_cache_max_file_size: int = DEFAULT_MEMORY_CACHE_FILE
    memory_cache_budget: int = DEFAULT_MEMORY_CACHE_BUDGET
    use_as_dictionary: bool = True
    recheck_interval: float = DEFAULT_RECHECK_INTERVAL


_FIELDS: Final = frozenset(Options.__dataclass_fields__)


def make_options(**options: Any) -> Options:
    """Validate keyword options into :class:`Options`, with clear errors for bad values."""
    reject_unknown(options, _FIELDS)
    values: dict[str, Any] = {}
    if "max_age" in options:
        values["max_age"] = validate_max_age(options["max_age"])
    if "immutable_file_test" in options:
        values["immutable_file_test"] = _immutable_test(options["immutable_file_test"])
    for flag in (
        "autorefresh",
        "allow_all_origins",
        "allow_external_symlinks",
        "use_as_dictionary",
    ):
        if flag in options:
            if not isinstance(options[flag], bool):
                raise TypeError(f"{flag} must be True or False, got {options[flag]!r}")
            values[flag] = options[flag]
    for size in ("memory_cache_max_file_size", "memory_cache_budget"):
        if size in options:
            value = options[size]
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{size} must be a number of bytes, got {value!r}")
            if value < 0:
                raise ValueError(f"{size} must not be negative, got {value!r}")
            values[size] = value
    if "recheck_interval" in options:
        interval = options["recheck_interval"]
        if isinstance(interval, bool) or not isinstance(interval, int | float):
            raise TypeError(f"recheck_interval must be a number of seconds, got {interval!r}")
        if not interval >= 0:
            raise ValueError(f"recheck_interval must be >= 0, got {interval!r}")
        values["recheck_interval"] = float(interval)
    if "index_file" in options:
        values["index_file"] = _index_file(options["index_file"])
    if "mimetypes" in options:
        values["mimetypes"] = _mimetypes(options["mimetypes"])
    if "charset" in options:
        charset = options["charset"]
        if not isinstance(charset, str) or not re.fullmatch(r"[A-Za-z0-9._:-]*", charset):
            raise ValueError(f"charset must be a charset name such as 'utf-8', got {charset!r}")
        values["charset"] = charset
    if "add_headers_function" in options:
        function = options["add_headers_function"]
        if function is not None and not callable(function):
            raise TypeError(f"add_headers_function must be callable or None, got {function!r}")
        values["add_headers_function"] = function
    if "encodings" in options:
        values["encodings"] = validate_codings(options["encodings"])
    return Options(**values)


def reject_unknown(options: Mapping[str, Any], known: frozenset[str], kind: str = "") -> None:
    """A TypeError naming the unknown keyword options and listing the valid ones."""
    unknown = sorted(set(options) - known)
    if unknown:
        valid = ", ".join(sorted(known))
        raise TypeError(
            f"unknown {kind}option(s) {', '.join(unknown)}; valid {kind}options: {valid}"
        )


def validate_max_age(value: object, name: str = "max_age") -> int | None:
    """A ``Cache-Control`` max-age: whole seconds >= 0, or None for no Cache-Control."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a number of seconds or None, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return value


def _immutable_test(value: object) -> ImmutableTest:
    if isinstance(value, str):
        try:
            value = re.compile(value)
        except re.error as error:
            raise ValueError(f"immutable_file_test is not a valid regex: {error}") from None
    if isinstance(value, re.Pattern):
        pattern: re.Pattern[str] = value

        def matches_url(path: str, url: str) -> bool:
            return pattern.search(url) is not None

        return pure(matches_url)
    if callable(value):
        test: ImmutableTest = value
        return test
    raise TypeError(f"immutable_file_test must be a callable or a regex, got {value!r}")


def _index_file(value: object) -> str | None:
    if value is None or value is False:
        return None
    if value is True:
        return "index.html"
    if not isinstance(value, str):
        raise TypeError(f"index_file must be True, False or a file name, got {value!r}")
    if not value or "/" in value or "\\" in value or value.startswith("."):
        raise ValueError(f"index_file must be a plain file name like 'index.html', got {value!r}")
    return value


def _mimetypes(value: object) -> Mapping[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"mimetypes must be a mapping like {{'.foo': 'text/x-foo'}}, got {value!r}")
    for key, media_type in value.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"mimetypes keys must be '.ext' or file names, got {key!r}")
        if not isinstance(media_type, str) or "/" not in media_type:
            raise ValueError(f"mimetypes[{key!r}] must be a media type like 'text/plain'")
    return dict(value)
