"""What reaches the logs: one line per record, no control characters, no hook ids.

Log lines carry text that others chose: a receiver's answer, a request path, an
exception's message about an input. A line feed in it would forge a log line (a fake
``[CRITICAL]``), an escape sequence would rewrite the operator's terminal, and the id in
a hook's URL is what lets anyone deliver to the hook. ``install`` replaces the logging
module's record factory, once per process, so that every record of every logger
(ours, Flask's, gunicorn's, the libraries') is cleaned the same way whatever handler
and formatter print it:

- the message (``getMessage``, what every formatter prints) has each control character
  (U+0000-U+001F, U+007F-U+009F) and the line and paragraph separators U+2028, U+2029
  escaped as ``\\xNN``/``\\uNNNN``, and a backslash doubled, so no line can be forged and
  an escaped line reads back unambiguously;
- an exception's traceback keeps its lines (they come from our code), but each
  exception's own message, where an input's text lands, is escaped the same way;
- the id in ``/v1/hooks/<platform>/<hook id>`` and any ``hk_...`` token become
  ``hk_<redacted>``.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from types import TracebackType
from typing import Any

_CONTROL = re.compile(r"[\\\x00-\x1f\x7f-\x9f\u2028\u2029]")
_HOOK_URL = re.compile(r"(/v1/hooks/[^/\s?]*/)[^/\s?#]+")
_HOOK_ID = re.compile(r"\bhk_[A-Za-z0-9_-]+")
REDACTED = "hk_<redacted>"
_installed = threading.Lock()
_done = False


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """``text`` as one safe log line: control characters escaped, hook ids redacted."""
    text = _HOOK_URL.sub(lambda m: m.group(1) + REDACTED, text)
    text = _HOOK_ID.sub(REDACTED, text)
    return _CONTROL.sub(_escape_one, text)


def format_exception(
    exc_type: type[BaseException] | None,
    exc: BaseException | None,
    tb: TracebackType | None,
) -> str:
    """A traceback as ``logging`` prints it, each exception's message ``clean``."""
    if exc is None:
        return ""
    summary = traceback.TracebackException(
        exc_type or type(exc), exc, tb, capture_locals=False, compact=True
    )
    return "".join(_lines(summary)).rstrip("\n")


def _lines(summary: traceback.TracebackException) -> list[str]:
    out: list[str] = []
    if summary.__cause__ is not None:
        out += _lines(summary.__cause__)
        out.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif summary.__context__ is not None and not summary.__suppress_context__:
        out += _lines(summary.__context__)
        out.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if summary.stack:
        out.append("Traceback (most recent call last):\n")
        out += [clean_block(line) for line in summary.stack.format()]
    out += [clean(line.rstrip("\n")) + "\n" for line in summary.format_exception_only()]
    return out


def clean_block(block: str) -> str:
    """A traceback frame's lines (file, line, source), each line ``clean``."""
    return "".join(clean(line) + "\n" for line in block.rstrip("\n").split("\n"))


class SafeRecord(logging.LogRecord):
    """A log record whose message and traceback are ``clean`` (``install``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.exc_info and self.exc_info[1] is not None:
            # Formatters print exc_text when it is set: set it to the clean traceback.
            self.exc_text = format_exception(*self.exc_info)

    def getMessage(self) -> str:
        return clean(super().getMessage())


def install() -> None:
    """Make every log record of this process a ``SafeRecord`` (idempotent)."""
    global _done
    with _installed:
        if _done:
            return
        if logging.getLogRecordFactory() is logging.LogRecord:
            logging.setLogRecordFactory(SafeRecord)
        else:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                record.__class__ = SafeRecord
                if record.exc_info and record.exc_info[1] is not None:
                    record.exc_text = format_exception(*record.exc_info)
                return record

            logging.setLogRecordFactory(factory)
        _done = True
