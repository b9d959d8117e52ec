"""The default immutable test against random Rollup hashes and against real-looking names.

Taking a name for a hash caches a mutable file for a year, so the word list must give
no false positive; missing a hash only costs revalidations, so a few may be missed.
"""

from __future__ import annotations

import functools
import itertools
import random
import string

from pinknoise.core.options import is_hashed_name

ROLLUP_ALPHABET = string.ascii_letters + string.digits + "_-"

# Words people name components, pages, stores and helpers with.
_WORDS = """
about account action active admin alert album alias align anchor answer app apple area
array arrow article aside asset audio auth author avatar back badge banner bar base basic
batch bell bill blob block blog board body book boot border bottom box brand bread break
browse bubble budget bug build bundle button cache calendar call camera canvas card cart
case cell chart chat check chip circle city class clear click client clock close cloud
code coin color column combo comment common config confirm connect contact content context
control cookie copy core count country course cover create credit crop crypto cursor
custom dash data date day debug deck default delete demo design detail device dialog diff
digit direct disk dock doc docs domain dot down draft drag draw drawer drop dropdown edit
editor email embed empty end entry error event excel expand export face fact fade faq feed
field file filter find flag flash flex float flow focus folder font footer form frame free
friend front full game gauge gear gift global goal grid group guard guide hash head header
heart help hero hide history home hook host hover icon image import inbox index info input
invoice item job join key label lang layout lazy left legal level light like line link
list live load loader local lock login logo logout main map mark market mask media member
menu merge message meta meter mobile modal mode money month more motion mouse move multi
music name nav navbar network news next node note notice number offer office online open
option order outer output page pager pane panel parse part password paste path pay peer
people phone photo picker pin pixel place plan player plugin point poll popup portal post
power preview price print profile progress project prompt proxy query queue quick quote
radio range rate rating react reader record redux region remote render reply report reset
result review right role root route router row rule safe sale save scale scan schema score
screen script scroll search section select send server service session setting settings
setup shape share shell shop show side sidebar sign signup site size skeleton slide slider
slot snack social sort source space spinner split stack stage star start state static
status step stepper store story stream style submit summary support survey switch sync
system tab table tabs tag task team terms test text theme thread thumb tile time timer
title toast toggle token tool toolbar tooltip top topic total touch track tree trend
trigger type upload user users util utils value vendor video view viewer vote wallet
watch web week widget window wizard word work worker wrap yield zone zoom
"""
WORDS = _WORDS.split()
ACRONYMS = ["UI", "API", "URL", "HTML", "CSS", "SVG", "PDF", "QR", "ID", "DB", "JSON", "XML"]
SUFFIXES = ["", "2", "3", "10", "12", "V2", "X"]


@functools.cache
def names() -> frozenset[str]:
    """Eight-character names: only those can pass for a Rollup hash (the rules for longer
    hashes want hex or base32, which names beyond "deadbeef" do not spell)."""
    found: set[str] = set()
    capital = [word.capitalize() for word in WORDS]
    singles = [*WORDS, *capital, *(word.upper() for word in WORDS)]
    for (a, ca), (b, cb) in itertools.product(zip(WORDS, capital, strict=True), repeat=2):
        if len(a) + len(b) <= 8:
            singles += [ca + cb, a + cb]
        if len(a) + len(b) <= 7:
            singles += [f"{a}-{b}", f"{a}_{b}", f"{ca}-{cb}", f"{ca}_{cb}"]
    for name, suffix in itertools.product(singles, SUFFIXES):
        if len(name) + len(suffix) == 8:
            found.add(name + suffix)
    for acronym, cap in itertools.product(ACRONYMS, capital):
        found.update({acronym + cap, cap + acronym, f"{cap}-{acronym}"})
    return frozenset(name for name in found if len(name) == 8)


def test_no_name_is_taken_for_a_hash() -> None:
    taken = sorted(
        name
        for name in names()
        for file in (f"index-{name}.js", f"main.{name}.min.css")
        if is_hashed_name("", f"/assets/{file}")
    )
    assert taken == []


def test_the_word_list_is_large() -> None:
    assert len(names()) > 100_000
    assert {"Dropdown", "PageView", "Button12", "NavBarV2", "nav-menu", "HTMLPage"} <= names()


def test_random_rollup_hashes_are_recognised() -> None:
    rng = random.Random(13)
    hashes = ["".join(rng.choices(ROLLUP_ALPHABET, k=8)) for _ in range(20_000)]
    found = sum(is_hashed_name("", f"/assets/index-{digest}.js") for digest in hashes)
    assert found / len(hashes) >= 0.95


def test_the_hashes_the_old_rule_missed() -> None:
    for name in ("Deep-Dzwcl_yp.js", "vendor-BAgTqYqV.js", "index-C-_xqZzw.css"):
        assert is_hashed_name("", f"/assets/{name}"), name


def test_versions_dates_and_libraries_stay_mutable() -> None:
    for name in (
        "jquery-3.7.1.js",
        "app.20240101.js",
        "bootstrap-5.3.3.min.css",
        "react-dom.production.min.js",
        "polyfill-es2015.js",
        "index-i18nText.js",
        "chart-e2e-Test.js",
    ):
        assert not is_hashed_name("", f"/static/{name}"), name
