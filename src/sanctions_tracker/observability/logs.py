"""Structured logs: one JSON object per line (or plain text for a terminal), each with the id of
the request it belongs to.

`logging_config` is the whole logging setup of a server process, handed to uvicorn by `serve`
(which turns uvicorn's own access log off: the middleware writes the request lines)."""

import json
import logging
import logging.config
import os
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

ACCESS_LOGGER = "sanctions_tracker.access"
LOG_FORMATS = ("json", "text")

current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being answered, for every record logged while it is."""

# The record attribute, set through `extra`, whose members a line adds (see `log_request`).
_FIELDS = "fields"
_access = logging.getLogger(ACCESS_LOGGER)


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id (one given in `extra` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        return True


class UvicornDuplicateFilter(logging.Filter):
    """Drop uvicorn's own report of an exception that left the app: the app has logged it
    already, with its traceback and the request's id (see `problems`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name == "uvicorn.error"
            and isinstance(record.msg, str)
            and record.msg.startswith("Exception in ASGI application")
        )


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: `time`, `level`, `logger`, `message`, `request_id`, `pid`, the
    record's `fields` (a request line's route, status, ...) and, for an error, `traceback`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "pid": record.process or os.getpid(),
        }
        fields = getattr(record, _FIELDS, None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["error"] = repr(record.exc_info[1])
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For people at a terminal: `time LEVEL logger [request id] message key=value ...`."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        line = f"{_timestamp(record)} {record.levelname:<7} {record.name}"
        if request_id:
            line += f" [{request_id}]"
        line += " " + record.getMessage()
        fields = getattr(record, _FIELDS, None)
        if isinstance(fields, dict):
            line += "".join(
                f" {name}={value}" for name, value in fields.items() if value is not None
            )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The `logging.config.dictConfig` of a server process: everything (the app's loggers,
    uvicorn's, libraries') to standard error in `log_format`, uvicorn's access log off."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": f"{__name__}.{formatter.__name__}"}},
        "filters": {
            "request_id": {"()": f"{__name__}.RequestIdFilter"},
            "uvicorn_duplicates": {"()": f"{__name__}.UvicornDuplicateFilter"},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["request_id", "uvicorn_duplicates"],
            }
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # Through the root's handler, in the same format as the rest.
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            # httpx logs each webhook POST with its whole URL, query string and all, which
            # may hold a receiver's token; the worker logs deliveries itself, without it.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def configure_if_unconfigured(log_format: str, level: str) -> None:
    """Set the logging up for an app served without `serve` (e.g. by `uvicorn --factory`),
    unless something (`serve`, a test runner) already did."""
    if not logging.getLogger().handlers:
        logging.config.dictConfig(logging_config(log_format, level))


def request_lines_at(level: int) -> bool:
    """Whether request lines of `level` are written (the caller need not build them if not)."""
    return _access.isEnabledFor(level)


def log_request(level: int, message: str, request_id: str, fields: dict[str, Any]) -> None:
    """Write one request line; `fields` become the JSON object's members."""
    _access.log(level, message, extra={_FIELDS: fields, "request_id": request_id})
