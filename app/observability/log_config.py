"""Log formats: human-readable lines by default, one JSON object per line with `--log-format json`.

Every record carries the id of the request it was logged under (`-` outside requests). What is logged is
chosen by the callers: never headers, bodies, tokens or keys. As a second line of defence, both formats
mask anything that looks like an Authorization value or a credential field before it is written.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from app.observability.request_id import current_request_id

_REDACTIONS = (
    # Authorization values: `Bearer <token>`, `WP3-v2.1 <public id> <timestamp> <digest>`.
    (re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (re.compile(r"\b(WP3-v2\.1)\s+\S+(?:\s+\d+\s+[0-9A-Fa-f]+)?"), r"\1 [redacted]"),
    # `"merchant_key": "..."`, `client_secret=...` and the like, in JSON, reprs or key=value text.
    (
        re.compile(
            r"""(?i)(["']?(?:merchant_key|client_secret|access_token|authorization)["']?\s*[:=]\s*)"""
            r"""("[^"]*"|'[^']*'|[^\s,}]+)"""
        ),
        r"\1[redacted]",
    ),
)


def redact(text: str) -> str:
    """`text` with credential-looking values masked."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (installed on the handler, so every logger gets it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class TextFormatter(logging.Formatter):
    """`2026-01-02 03:04:05,678 INFO app.access [request-id] message`, credentials masked."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, request_id, message, the record's `fields`, and
    `exception` (type, message and traceback) for errors."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", current_request_id()),
            "message": redact(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["exception"] = {
                "type": type(error).__name__,
                "message": redact(str(error)),
                "traceback": redact(self.formatException(record.exc_info)),
            }
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(log_format: str = "text", level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` document (also uvicorn's `log_config`, applied in every worker).

    Everything goes to stderr through one handler. uvicorn's own access log is silenced: the gateway
    writes its access log itself (`app.access`), with the request id, route template and duration.
    """
    formatter = "json" if log_format == "json" else "text"
    level_name = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"text": {"()": TextFormatter}, "json": {"()": JsonFormatter}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": formatter,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["default"], "level": "WARNING"},
        "loggers": {
            "app": {"level": level_name},
            "uvicorn": {"level": level_name},
            "uvicorn.error": {"level": level_name},
            "uvicorn.access": {"level": "WARNING"},
        },
    }
