"""Schemathesis hooks for tools/api-conformance.sh: the constraints of NewBackupEvent that JSON
Schema cannot express, each documented in openapi.yaml and enforced by the server (which answers
400 naming the member). Generated bodies are mapped into them, never dropped, so every other
member keeps its generated value:

- occurred_at, started_at and finished_at are instants in the years 0001-9999 that are not more
  than the clock skew (5 minutes) ahead of the server's clock: a later or wider time is moved into
  the past, keeping its RFC 3339 shape;
- finished_at is not before started_at (swapped when it is);
- strings inside details carry no U+0000 (PostgreSQL text cannot hold it);
- an export's (NewExport) `to` is not before its `from`, and the period is at most ten years
  (swapped, then shortened to nine years).

Only JSON objects are touched: negative tests (non-objects, wrong types) pass through unchanged.
"""
import datetime

import schemathesis

FIELDS = ("occurred_at", "started_at", "finished_at")
EARLIEST = datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc)
LATEST = datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc)


def _parse(text):
    if not isinstance(text, str):
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    return value


def _past(value):
    """A time in the years 0001-9999 and in the past; keeps the instant when it already is."""
    now = datetime.datetime.now(datetime.timezone.utc)
    try:
        utc = value.astimezone(datetime.timezone.utc)
    except (OverflowError, ValueError):
        utc = None
    if utc is not None and EARLIEST <= utc <= now:
        return None
    # Same time of day, a fixed day in the past: still any RFC 3339 shape the server must parse.
    return datetime.datetime(2020, 2, 29, value.hour, value.minute, value.second, value.microsecond,
                             tzinfo=datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {k.replace("\x00", ""): _without_nul(v) for k, v in value.items()}
    return value


def _date(text):
    if not isinstance(text, str):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _export_period(body):
    start, end = _date(body.get("from")), _date(body.get("to"))
    if start is None or end is None:
        return
    if end < start:
        start, end = end, start
    try:
        limit = start + datetime.timedelta(days=9 * 365)
    except OverflowError:
        limit = None   # near year 9999: no later date exists, the period is short enough
    if limit is not None and end >= limit:
        end = limit
    body["from"], body["to"] = start.isoformat(), end.isoformat()


@schemathesis.hook
def map_body(ctx, body):
    if ctx.operation is None or ctx.operation.method.upper() != "POST" or not isinstance(body, dict):
        return body
    if ctx.operation.path == "/api/compliance/exports":
        _export_period(body)
        return body
    for field in FIELDS:
        parsed = _parse(body.get(field))
        if parsed is not None:
            replacement = _past(parsed)
            if replacement is not None:
                body[field] = replacement
    started, finished = _parse(body.get("started_at")), _parse(body.get("finished_at"))
    if started is not None and finished is not None and finished < started:
        body["started_at"], body["finished_at"] = body["finished_at"], body["started_at"]
    if isinstance(body.get("details"), dict):
        body["details"] = _without_nul(body["details"])
    return body
