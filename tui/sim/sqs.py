"""Amazon SQS, simulated: standard queues per (account, region), on the simulator's clock.

Wire protocol: AWS JSON 1.0 (``X-Amz-Target: AmazonSQS.<Op>``); errors carry the JSON ``__type``
and, as SQS's "query compatible" JSON does, an ``x-amzn-query-error: <query code>;Sender`` header
(botocore maps its exceptions through it). Queue URLs are ``<endpoint>/<account>/<name>``.

- Visibility timeouts, delays and retention run on the simulator's clock (a ``ManualClock`` in
  tests): a received message comes back once ``VisibilityTimeout`` simulated seconds pass.
- ``ReceiveMessage`` long-polls in real time: it waits up to ``WaitTimeSeconds`` (or the queue's
  ``ReceiveMessageWaitTimeSeconds``) and answers as soon as a message is visible (see
  ``tui.sim.server``, which re-checks every few milliseconds).
- ``policy_allows`` evaluates a queue policy for a service principal's ``sqs:SendMessage`` (the
  check EventBridge's delivery passes or fails).
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

from tui.sim.errors import SimError

JSON10 = "application/x-amz-json-1.0"
# The Query-protocol codes SQS reports in x-amzn-query-error, by modelled exception name.
QUERY_CODES = {
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueNameExists": "QueueAlreadyExists",
    "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
    "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
    "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
    "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
}
# Faults the simulator injects into any service, as SQS's JSON protocol spells them:
# fault code -> (JSON ``__type``, Query code for ``x-amzn-query-error``).
FAULT_CODES = {
    "ThrottlingException": ("com.amazonaws.sqs#RequestThrottled", "RequestThrottled"),
    "AccessDeniedException": ("com.amazon.coral.service#AccessDeniedException", "AccessDenied"),
    "ExpiredTokenException": ("com.amazon.coral.service#ExpiredTokenException", "ExpiredToken"),
    "InternalFailure": ("com.amazon.coral.service#InternalFailure", "InternalError"),
    "ServiceUnavailable": ("com.amazon.coral.availability#ServiceUnavailableException", "ServiceUnavailable"),
}
DEFAULTS = {
    "VisibilityTimeout": "30",
    "MaximumMessageSize": "262144",
    "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
}
SETTABLE = frozenset(
    {
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "Policy",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
        "RedrivePolicy",
        "RedriveAllowPolicy",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "SqsManagedSseEnabled",
    }
)
_BOUNDS = {
    "VisibilityTimeout": (0, 43200),
    "MaximumMessageSize": (1024, 1048576),
    "MessageRetentionPeriod": (60, 1209600),
    "DelaySeconds": (0, 900),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "KmsDataKeyReusePeriodSeconds": (60, 86400),
}
_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def sqs_error(code: str, message: str) -> SimError:
    return SimError(code, message)


def no_queue() -> SimError:
    return SimError("QueueDoesNotExist", "The specified queue does not exist.")


@dataclass
class Message:
    id: str
    body: str
    sent: float
    visible_at: float
    seq: int
    sender: str
    receive_count: int = 0
    first_receive: float | None = None
    handle: str | None = None  # the latest receipt handle
    in_flight: bool = False


@dataclass
class Queue:
    account: str
    region: str
    name: str
    created: float
    attributes: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    modified: float = 0.0
    messages: dict[str, Message] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{self.name}"

    def attr(self, name: str) -> str:
        return self.attributes.get(name, DEFAULTS.get(name, ""))

    def expire(self, now: float) -> None:
        """Drop messages older than the retention period."""
        keep = float(self.attr("MessageRetentionPeriod"))
        for mid in [m.id for m in self.messages.values() if now - m.sent >= keep]:
            del self.messages[mid]

    def visible(self, now: float) -> list[Message]:
        return sorted(
            (m for m in self.messages.values() if m.visible_at <= now), key=lambda m: (m.visible_at, m.seq)
        )


class SqsStore:
    """Every simulated queue, by (account, region, name)."""

    def __init__(self, seed: int) -> None:
        self.queues: dict[tuple[str, str, str], Queue] = {}
        # When each queue name was last deleted: SQS refuses the name for 60 s after.
        self.deleted: dict[tuple[str, str, str], float] = {}
        self._rng = random.Random(f"{seed}:sqs")
        self._seq = 0

    def _uuid(self) -> str:
        from tui.sim.world.runners import new_uuid

        return new_uuid(self._rng)

    # --- lookups ----------------------------------------------------------------------------

    def by_url(self, url: str, region: str) -> Queue:
        parts = [p for p in url.split("?")[0].split("/") if p]
        if len(parts) < 2:
            raise SimError("InvalidAddress", f"The address {url} is not valid for this endpoint.")
        queue = self.queues.get((parts[-2], region, parts[-1]))
        if queue is None:
            raise no_queue()
        return queue

    def by_arn(self, arn: str) -> Queue | None:
        parts = arn.split(":")
        if len(parts) != 6 or parts[2] != "sqs":
            return None
        return self.queues.get((parts[4], parts[3], parts[5]))

    # --- delivery (used by EventBridge and SendMessage) --------------------------------------

    def enqueue(self, queue: Queue, body: str, now: float, delay: float, sender: str) -> Message:
        self._seq += 1
        delay = max(delay, float(queue.attr("DelaySeconds")))
        msg = Message(self._uuid(), body, now, now + delay, self._seq, sender)
        queue.messages[msg.id] = msg
        return msg

    def receive(
        self, queue: Queue, now: float, limit: int, visibility: float, attribute_names: list[str]
    ) -> list[dict[str, Any]]:
        queue.expire(now)
        out: list[dict[str, Any]] = []
        for msg in queue.visible(now)[:limit]:
            msg.receive_count += 1
            msg.first_receive = msg.first_receive or now
            msg.visible_at = now + visibility
            msg.in_flight = visibility > 0
            raw = f"{queue.account}/{queue.name}/{msg.id}/{msg.receive_count}/{self._uuid()}"
            msg.handle = base64.b64encode(raw.encode()).decode()
            item: dict[str, Any] = {
                "MessageId": msg.id,
                "ReceiptHandle": msg.handle,
                "MD5OfBody": hashlib.md5(msg.body.encode(), usedforsecurity=False).hexdigest(),
                "Body": msg.body,
            }
            attrs = _message_attributes(msg, attribute_names)
            if attrs:
                item["Attributes"] = attrs
            out.append(item)
        return out

    def find_handle(self, queue: Queue, handle: str) -> Message | None:
        """The message a receipt handle names; raises ReceiptHandleIsInvalid for garbage."""
        try:
            raw = base64.b64decode(handle.encode(), validate=True).decode()
            account, name, mid, _count, _nonce = raw.split("/")
        except (ValueError, UnicodeDecodeError):
            raise SimError(
                "ReceiptHandleIsInvalid",
                f'The input receipt handle "{handle}" is not a valid receipt handle.',
            ) from None
        if (account, name) != (queue.account, queue.name):
            raise SimError(
                "ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is not valid for this queue.'
            )
        return queue.messages.get(mid)


def _message_attributes(msg: Message, names: list[str]) -> dict[str, str]:
    every = {
        "SenderId": msg.sender,
        "SentTimestamp": str(int(msg.sent * 1000)),
        "ApproximateReceiveCount": str(msg.receive_count),
        "ApproximateFirstReceiveTimestamp": str(int((msg.first_receive or msg.sent) * 1000)),
    }
    if "All" in names:
        return every
    return {k: v for k, v in every.items() if k in names}


def check_attributes(attributes: dict[str, str]) -> None:
    """InvalidAttributeName / InvalidAttributeValue for settable attributes, as SQS words it."""
    for name, value in attributes.items():
        if name not in SETTABLE:
            raise SimError("InvalidAttributeName", f"Unknown Attribute {name}.")
        if name in _BOUNDS:
            low, high = _BOUNDS[name]
            if not value.isdigit() or not low <= int(value) <= high:
                raise SimError("InvalidAttributeValue", f"Invalid value for the parameter {name}.")
        if name == "Policy" and value:
            try:
                doc = json.loads(value)
            except ValueError:
                raise SimError("InvalidAttributeValue", "Invalid value for the parameter Policy.") from None
            if not isinstance(doc, dict) or not isinstance(doc.get("Statement"), list | dict):
                raise SimError("InvalidAttributeValue", "Invalid value for the parameter Policy.")
        if name == "SqsManagedSseEnabled" and value not in ("true", "false"):
            raise SimError("InvalidAttributeValue", f"Invalid value for the parameter {name}.")


def check_name(name: str) -> None:
    if not 1 <= len(name) <= 80 or not set(name) <= _NAME_OK:
        raise SimError(
            "InvalidParameterValue",
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        )


# --- queue policies ---------------------------------------------------------------------------


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal_matches(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        if principal.get("AWS") == "*":
            return True
        return service in _listify(principal.get("Service", []))
    return False


def _action_matches(action: Any, wanted: str) -> bool:
    return any(fnmatch.fnmatchcase(wanted.lower(), str(a).lower()) for a in _listify(action))


def _conditions_hold(conditions: Any, context: dict[str, str]) -> bool:
    if not conditions:
        return True
    if not isinstance(conditions, dict):
        return False
    for operator, pairs in conditions.items():
        if not isinstance(pairs, dict):
            return False
        for key, expected in pairs.items():
            actual = next((v for k, v in context.items() if k.lower() == str(key).lower()), None)
            if actual is None:
                if operator.endswith("IfExists"):
                    continue
                return False
            op = operator.removesuffix("IfExists")
            values = [str(v) for v in _listify(expected)]
            if op in ("ArnEquals", "StringEquals"):
                ok = actual in values
            elif op in ("ArnLike", "StringLike"):
                ok = any(fnmatch.fnmatchcase(actual, v) for v in values)
            elif op in ("ArnNotEquals", "StringNotEquals"):
                ok = actual not in values
            elif op in ("ArnNotLike", "StringNotLike"):
                ok = not any(fnmatch.fnmatchcase(actual, v) for v in values)
            else:
                return False  # an operator this simulator does not evaluate: fail closed
            if not ok:
                return False
    return True


def policy_allows(queue: Queue, service: str, action: str, context: dict[str, str]) -> bool:
    """Whether the queue's resource policy lets ``service`` (a service principal) do ``action``."""
    text = queue.attributes.get("Policy")
    if not text:
        return False
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    allowed = False
    for st in _listify(doc.get("Statement", [])):
        if not isinstance(st, dict):
            continue
        if not _principal_matches(st.get("Principal"), service):
            continue
        if not _action_matches(st.get("Action", []), action):
            continue
        resources = _listify(st.get("Resource", "*"))
        if not any(fnmatch.fnmatchcase(queue.arn, str(r)) for r in resources):
            continue
        if not _conditions_hold(st.get("Condition"), context):
            continue
        if st.get("Effect") == "Deny":
            return False
        if st.get("Effect") == "Allow":
            allowed = True
    return allowed
