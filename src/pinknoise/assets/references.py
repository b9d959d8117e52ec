"""References between static files, found in CSS, JavaScript and source maps.

``pinknoise build`` renames each file after its content, so every place one file names
another must be rewritten to the new name. This module finds those places and says
where each one points; it neither reads nor writes files.

What counts as a reference (anything else is left as written):

* CSS: ``url(...)`` (quoted or not) and ``@import "..."``, outside comments, and the
  ``/*# sourceMappingURL=... */`` comment;
* JavaScript (``.js``, ``.mjs``): relative ES-module specifiers in ``import ... from``,
  ``import "..."``, ``import("...")`` (a string literal only) and ``export ... from``,
  and module-relative asset URLs, ``new URL("...", import.meta.url)``,
  found by a small lexer so that the same words inside strings, comments, template
  literals and regular expressions do not count; and the ``//# sourceMappingURL=``
  comment;
* source maps (``.map``): the top-level ``"file"`` field.

A URL is local (a file of the build) when it is a relative path or an absolute path
under the prefix the files are served at. URLs with a scheme (``https:``, ``data:``),
protocol-relative ones (``//cdn/...``), fragments alone (``#id``), other absolute paths
and bare module specifiers (``import "react"``) are not, and are never touched. A
query string or fragment on a local URL is kept around the rewritten name.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import quote, unquote

#: What a reference is, for messages and for telling a map's informational ``file``
#: field (which may name a file that is not shipped) from references a browser fetches.
Kind = Literal["url", "import", "sourcemap", "module", "file"]

#: Extensions whose text is searched for references.
CSS_EXTENSIONS: Final = frozenset({".css"})
JS_EXTENSIONS: Final = frozenset({".js", ".mjs"})
MAP_EXTENSIONS: Final = frozenset({".map"})
TEXT_EXTENSIONS: Final = CSS_EXTENSIONS | JS_EXTENSIONS | MAP_EXTENSIONS


@dataclass(frozen=True, slots=True)
class Reference:
    """One URL written in a file: where (``start``/``end`` in the text), what, and the
    line and column it starts at (1-based; the column matters in minified files)."""

    start: int
    end: int
    url: str
    kind: Kind
    line: int
    column: int


_SCHEME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def local_path(url: str, prefix: str, module: bool = False) -> tuple[str, bool] | None:
    """``(path without query or fragment, is absolute)`` for a URL naming a build file.

    None for everything that is not ours to rewrite: empty URLs, fragments alone,
    URLs with a scheme or protocol-relative ones, absolute paths outside ``prefix``,
    and, for ES-module specifiers (``module``), bare names resolved by an import map.
    """
    url = url.strip()
    if not url or url.startswith("#") or url.startswith("//") or _SCHEME.match(url):
        return None
    path = re.split(r"[?#]", url, maxsplit=1)[0]
    if not path:
        return None
    if path.startswith("/"):
        return (path, True) if path.startswith(prefix) else None
    if module and not path.startswith(("./", "../")):
        return None
    return path, False


def resolve(referrer: str, path: str, prefix: str) -> str:
    """The root-relative name a local URL path resolves to from ``referrer``.

    Percent-escapes are decoded. The result starts with ``../`` (or is ``..``) when
    the URL leaves the root: callers refuse those, they never follow them.
    """
    path = unquote(path)
    if path.startswith("/"):
        return posixpath.normpath(path[len(prefix) :] or ".")
    return posixpath.normpath(posixpath.join(posixpath.dirname(referrer), path))


def leaves_root(resolved: str) -> bool:
    """Whether a :func:`resolve` result points outside the root."""
    return resolved == ".." or resolved.startswith("../") or resolved == "."


def renamed_url(url: str, hashed_name: str) -> str:
    """``url`` with its last path segment replaced by ``hashed_name`` (a base name).

    The rest of the URL (directories, ``?query``, ``#fragment``, the way it is
    escaped) stays as written, so ``../img/a%20b.png?v=1#x`` becomes
    ``../img/a%20b.<hash>.png?v=1#x``.
    """
    split = re.search(r"[?#]", url)
    path, tail = (url[: split.start()], url[split.start() :]) if split else (url, "")
    directory, _, segment = path.rpartition("/")
    name = unquote(segment)
    # Insert the hash into the segment as written when only a hash was added to the name.
    stem, extension = posixpath.splitext(name)
    if hashed_name.startswith(stem + ".") and hashed_name.endswith(extension):
        digest = hashed_name[len(stem) : len(hashed_name) - len(extension)]
        if extension and segment.endswith(extension):
            new_segment = segment[: len(segment) - len(extension)] + digest + extension
        elif not extension:
            new_segment = segment + digest
        else:
            new_segment = quote(hashed_name)
    else:
        new_segment = quote(hashed_name)
    return f"{directory}/{new_segment}{tail}" if path.rfind("/") >= 0 else new_segment + tail


def find_references(name: str, text: str) -> list[Reference]:
    """Every reference in the text of file ``name`` (by its extension), in text order."""
    extension = posixpath.splitext(name)[1].lower()
    if extension in CSS_EXTENSIONS:
        found = _css(text)
    elif extension in JS_EXTENSIONS:
        found = _javascript(text)
    elif extension in MAP_EXTENSIONS:
        found = _source_map(text)
    else:
        return []
    found.sort(key=lambda r: r.start)
    return found


def _position(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _reference(text: str, match: re.Match[str], group: str, kind: Kind) -> Reference:
    start, end = match.span(group)
    return Reference(start, end, match.group(group), kind, *_position(text, start))


# --- CSS -----------------------------------------------------------------------------

_CSS_COMMENT: Final = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_SOURCE_MAP: Final = re.compile(r"/\*[#@][ \t]*sourceMappingURL=(?P<url>[^\s*]+)[ \t]*\*/")
_CSS_URL: Final = re.compile(
    r"""(?<![\w-])url\(\s*(?:
        "(?P<double>(?:[^"\\\n]|\\.)*)"
      | '(?P<single>(?:[^'\\\n]|\\.)*)'
      | (?P<bare>[^)"'\s]*)
    )\s*\)""",
    re.IGNORECASE | re.VERBOSE,
)
_CSS_IMPORT: Final = re.compile(
    r"""@import\s+(?:"(?P<double>[^"\n]*)"|'(?P<single>[^'\n]*)')""", re.IGNORECASE
)


def _css(text: str) -> list[Reference]:
    comments = [m.span() for m in _CSS_COMMENT.finditer(text)]
    found = []
    if "sourceMappingURL" in text:
        found = [_reference(text, m, "url", "sourcemap") for m in _CSS_SOURCE_MAP.finditer(text)]
    for pattern, kind in ((_CSS_URL, "url"), (_CSS_IMPORT, "import")):
        for match in pattern.finditer(text):
            if _inside(match.start(), comments):
                continue
            group = next(g for g in ("double", "single", "bare") if match.group(g) is not None)
            if match.group(group):
                found.append(_reference(text, match, group, kind))  # type: ignore[arg-type]
    return found


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)


# --- JavaScript ----------------------------------------------------------------------

_JS_SOURCE_MAP: Final = re.compile(
    r"^[ \t]*//[#@][ \t]*sourceMappingURL=(?P<url>[^\s'\"]+)[ \t]*$", re.MULTILINE
)
_STRING: Final = r"""(?P<q>["'])(?P<url>(?:(?!(?P=q))[^\\\n]|\\.)*)(?P=q)"""
# The forms tried at a keyword the lexer found in code, each with the kind it makes.
# ``new URL("./x.png", import.meta.url)`` is the standard way for a module to name an
# asset or a worker relative to itself (what Vite and webpack 5 rewrite too); its URL is
# relative like any other (``"x.png"`` is a file next to the module, not a bare name).
_JS_STATEMENTS: Final[dict[str, tuple[tuple[re.Pattern[str], Kind], ...]]] = {
    "import": tuple(
        (re.compile(before + _STRING + after), "module")
        for before, after in (
            (r"import\s*\(\s*", r"(?=\s*[,)])"),  # import("./x.js"), not import("./" + x)
            (r"import\s*(?=[\"'])", ""),  # import "./x.js"
            (r"import(?=[\s{*])[^;'\"()=`]*?\bfrom\s*", ""),  # import x from "./x.js"
        )
    ),
    "export": (
        (
            re.compile(r"export\s*(?:\*(?:\s*as\s+[\w$]+)?|\{[^}'\"`]*\})\s*from\s*" + _STRING),
            "module",
        ),
    ),
    "new": (
        (
            re.compile(r"new\s+URL\s*\(\s*" + _STRING + r"(?=\s*,\s*import\.meta\.url\s*\))"),
            "url",
        ),
    ),
}
# One token of the lexer: what it must skip over whole, or a word, or one character.
_JS_TOKEN: Final = re.compile(
    r"""(?P<space>\s+)
      | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
      | (?P<string>"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)
      | (?P<word>[A-Za-z_$][\w$]*|\d[\w.]*)
      | (?P<other>[^\w$'"`/{}\s]+|.)""",
    re.VERBOSE | re.DOTALL,
)
_REGEX_BODY: Final = re.compile(r"(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])*/[A-Za-z]*")
_TEMPLATE_PART: Final = re.compile(r"(?:[^`\\$]|\\.|\$(?!\{))*")
# After these words a "/" starts a regular expression, not a division.
_KEYWORDS_BEFORE_EXPRESSION: Final = frozenset(
    {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case"}
    | {"do", "else", "yield", "await"}
)
# Every import/export statement naming a local file matches this (with more besides):
# nothing but a quote, a ";" or a backquote can stand between the keyword and the name.
# (One literal-led pattern per keyword: the regex engine then jumps between occurrences.)
_LOCAL_HINTS: Final = (
    *(re.compile(keyword + r"""\b[^;'"`]*?["']\.{0,2}/""") for keyword in ("import", "export")),
    re.compile(r"""new\s+URL\s*\(\s*["'][^"'\n]*["']\s*,\s*import\.meta\.url"""),
)


def _javascript(text: str) -> list[Reference]:
    found = []
    if "sourceMappingURL" in text:
        found = [_reference(text, m, "url", "sourcemap") for m in _JS_SOURCE_MAP.finditer(text)]
    # The lexer costs about a third of a second per megabyte: run it only as far as the
    # last import/export that names a local file, found without it (a superset).
    last = -1
    for pattern in _LOCAL_HINTS:
        for hint in pattern.finditer(text):
            last = max(last, hint.end())
    if last >= 0:
        found.extend(_module_specifiers(text, min(len(text), last + 1)))
    return found


def _module_specifiers(text: str, length: int) -> list[Reference]:
    """The ``import``/``export`` specifiers of a module, by a lexer that knows code from text.

    Strings, comments, template literals (with their ``${}`` code) and regular
    expression literals are skipped whole, so ``"import('./x.js')"`` in a string is not
    a reference. A ``/`` is a regular expression where an expression may start (after
    an operator, an opening bracket or one of a few keywords), as JavaScript lexers
    without a full parser decide it.
    """
    found: list[Reference] = []
    position = 0
    previous = ""  # last significant token: "" (start), a word, or one character
    braces: list[int] = []  # per open template ``${``: the brace depth it closes at
    depth = 0
    while position < length:
        char = text[position]
        if char == "`" or (char == "}" and braces and braces[-1] == depth):
            if char == "}":
                braces.pop()
            position = _template(text, position + 1, braces, depth)
            previous = "`"
            continue
        if char == "/" and not text.startswith(("//", "/*"), position) and _starts_regex(previous):
            body = _REGEX_BODY.match(text, position + 1)
            if body is not None:
                position = body.end()
                previous = "regex"
                continue
        token = _JS_TOKEN.match(text, position)
        assert token is not None  # "other" matches any character
        kind = token.lastgroup
        value = token.group()
        forms = _JS_STATEMENTS.get(value) if kind == "word" else None
        if forms is not None and not previous.endswith("."):
            statement = next(((m, k) for p, k in forms if (m := p.match(text, position))), None)
            if statement is not None:
                found.append(_reference(text, statement[0], "url", statement[1]))
                position = statement[0].end()
                previous = statement[0].group()[-1]
                continue
        if kind == "string":
            previous = "string"
        elif kind == "word":
            previous = value
        elif kind == "other":
            previous = value[-1]
            depth += (value == "{") - (value == "}")
        position = token.end()
    return found


def _starts_regex(previous: str) -> bool:
    """Whether a ``/`` after the token ``previous`` starts a regular expression literal."""
    if previous == "" or previous in _KEYWORDS_BEFORE_EXPRESSION:
        return True
    return not (previous[0].isalnum() or previous[0] in "_$") and previous not in ")]}"


def _template(text: str, position: int, braces: list[int], depth: int) -> int:
    """Skip template literal text from ``position``; stop after its end or at a ``${``."""
    part = _TEMPLATE_PART.match(text, position)
    end = part.end() if part is not None else position
    if text.startswith("${", end):
        braces.append(depth)
        return end + 2
    return end + 1  # past the closing backquote (or the end of the text)


# --- source maps ---------------------------------------------------------------------

_MAP_FILE: Final = re.compile(r'"file"\s*:\s*"(?P<url>(?:[^"\\]|\\.)*)"')


def _source_map(text: str) -> list[Reference]:
    """The top-level ``file`` of a source map, where it is a plain string."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("file"), str):
        return []
    for match in _MAP_FILE.finditer(text):
        if json.loads(f'"{match.group("url")}"') == data["file"] and "\\" not in match.group("url"):
            return [_reference(text, match, "url", "file")]
    return []
