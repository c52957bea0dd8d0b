"""JSON-lines logging for production: one object per line on stdout, which
log collectors (journald, Docker, a hosting platform) parse without rules."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

#: gunicorn access-log atoms worth keeping, under readable names.
ACCESS_ATOMS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "D": "duration_us",
    "a": "user_agent",
}

#: Attributes every LogRecord has; anything else was passed through ``extra``.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message,
    the exception if any, and simple ``extra`` values (a Django request is
    reduced to its method and path)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            data["message"] = "request"
            for atom, name in ACCESS_ATOMS.items():
                value = record.args.get(atom)
                if value not in (None, "-"):
                    data[name] = _number_or_text(value)
        else:
            data["message"] = record.getMessage()
        for name, value in vars(record).items():
            if name in _STANDARD_ATTRS or name in data:
                continue
            if name == "request":
                data["method"] = getattr(value, "method", None)
                data["path"] = getattr(value, "path", None)
            elif isinstance(value, str | int | float | bool) or value is None:
                data[name] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, default=str, ensure_ascii=False)


def _number_or_text(value: Any) -> Any:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value
