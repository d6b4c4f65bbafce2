"""AWS event-stream message encoding (``application/vnd.amazon.eventstream``).

A message is: prelude (total length, headers length, both uint32 big-endian, then the CRC32 of
those 8 bytes), headers, payload, and the CRC32 of everything before it. Headers here are all
strings (type 7: uint16 length + UTF-8). botocore's ``EventStreamBuffer`` parses exactly this.
"""

from __future__ import annotations

import json
import struct
from binascii import crc32
from typing import Any

CONTENT_TYPE = "application/vnd.amazon.eventstream"
_STRING = 7


def _headers(headers: dict[str, str]) -> bytes:
    out = bytearray()
    for name, value in headers.items():
        raw_name, raw_value = name.encode(), value.encode()
        out += struct.pack("!B", len(raw_name)) + raw_name
        out += struct.pack("!BH", _STRING, len(raw_value)) + raw_value
    return bytes(out)


def message(headers: dict[str, str], payload: bytes) -> bytes:
    """One encoded event-stream message."""
    head = _headers(headers)
    total = 12 + len(head) + len(payload) + 4
    prelude = struct.pack("!II", total, len(head))
    prelude += struct.pack("!I", crc32(prelude) & 0xFFFFFFFF)
    body = prelude + head + payload
    return body + struct.pack("!I", crc32(body) & 0xFFFFFFFF)


def event(event_type: str, data: dict[str, Any]) -> bytes:
    """An ``event`` message with a JSON payload (``initial-response``, ``sessionUpdate`` ...)."""
    headers = {":event-type": event_type, ":message-type": "event", ":content-type": "application/json"}
    return message(headers, json.dumps(data, separators=(",", ":")).encode())


def exception(exception_type: str, text: str) -> bytes:
    """A modelled exception inside the stream (e.g. ``SessionTimeoutException``)."""
    headers = {
        ":exception-type": exception_type,
        ":message-type": "exception",
        ":content-type": "application/json",
    }
    return message(headers, json.dumps({"message": text}).encode())
