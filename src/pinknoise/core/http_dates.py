"""HTTP-date formatting and strict parsing (RFC 9110 §5.6.7).

Recipients must accept the three historical formats; senders only produce IMF-fixdate.
Anything that is not a valid date parses to ``None`` so that callers can *ignore* the
header, as RFC 9110 requires for a malformed If-Modified-Since or If-Unmodified-Since.
"""

from __future__ import annotations

import calendar
import re
import time
from typing import Final

_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip
_MONTH_NUMBER: Final = {name: index for index, name in enumerate(_MONTHS, start=1)}
_LONG_DAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_TIME = r"(\d\d):(\d\d):(\d\d)"
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
# Sun, 06 Nov 1994 08:49:37 GMT
_IMF_FIXDATE: Final = re.compile(
    rf"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) {_MONTH} (\d\d\d\d) {_TIME} GMT"
)
# Sunday, 06-Nov-94 08:49:37 GMT
_RFC850: Final = re.compile(rf"({'|'.join(_LONG_DAYS)}), (\d\d)-{_MONTH}-(\d\d) {_TIME} GMT")
# Sun Nov  6 08:49:37 1994
_ASCTIME: Final = re.compile(
    rf"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) {_MONTH} ([ \d]\d) {_TIME} (\d\d\d\d)"
)


def format_http_date(timestamp: float) -> str:
    """Render a POSIX timestamp as an IMF-fixdate, the only format a sender may use."""
    t = time.gmtime(timestamp)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


def parse_http_date(value: str) -> int | None:
    """Return the POSIX timestamp of an HTTP-date, or ``None`` if it is not one."""
    value = value.strip()
    if len(value) > 40:
        return None
    if match := _IMF_FIXDATE.fullmatch(value):
        _, day, month, year, hour, minute, second = match.groups()
    elif match := _RFC850.fullmatch(value):
        _, day, month, short_year, hour, minute, second = match.groups()
        # RFC 9110: a two-digit year that appears more than 50 years in the future is
        # taken to be in the past century.
        this_year = time.gmtime().tm_year
        year_number = this_year // 100 * 100 + int(short_year)
        if year_number > this_year + 50:
            year_number -= 100
        year = str(year_number)
    elif match := _ASCTIME.fullmatch(value):
        _, month, day, hour, minute, second, year = match.groups()
    else:
        return None
    fields = (int(year), _MONTH_NUMBER[month], int(day), int(hour), int(minute), int(second))
    if not (1 <= fields[2] <= 31 and fields[3] <= 23 and fields[4] <= 59 and fields[5] <= 60):
        return None
    try:
        # timegm normalises impossible dates such as 31 Feb; reject them by round-trip.
        timestamp = calendar.timegm((*fields, 0, 0, 0))
    except (OverflowError, ValueError):
        return None
    if time.gmtime(timestamp)[:3] != fields[:3]:
        return None
    return timestamp
