"""SQS operations (see ``tui.sim.sqs`` for the model): each handler takes the request context and
its parameters and returns the JSON answer. ``ReceiveMessage`` here answers at once; the server
wraps it in the long poll."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.sim.errors import SimError
from tui.sim.protocol import Ctx
from tui.sim.sqs import (
    DEFAULTS,
    SqsStore,
    check_attributes,
    check_name,
)

if TYPE_CHECKING:
    from tui.sim.engine import Engine

Handler = Callable[[Ctx, dict[str, Any]], dict[str, Any]]


def _url(ctx: Ctx, account: str, name: str) -> str:
    return f"{ctx.endpoint}/{account}/{name}"


def handlers(engine: Engine) -> dict[str, Handler]:
    """The SQS handlers bound to ``engine``'s queues and clock."""
    store: SqsStore = engine.sqs

    def create_queue(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        name = params["QueueName"]
        check_name(name)
        attributes: dict[str, str] = dict(params.get("Attributes") or {})
        if name.endswith(".fifo") or attributes.get("FifoQueue") == "true":
            raise SimError("UnsupportedOperation", "FIFO queues are not simulated.")
        check_attributes(attributes)
        key = (ctx.caller.account, ctx.caller.region, name)
        existing = store.queues.get(key)
        if existing is not None:
            for attr, value in attributes.items():
                if existing.attr(attr) != value:
                    raise SimError(
                        "QueueNameExists",
                        "A queue already exists with the same name and a different value for "
                        f"attribute {attr}",
                    )
            return {"QueueUrl": _url(ctx, ctx.caller.account, name)}
        from tui.sim.sqs import Queue

        now = engine.now()
        deleted = store.deleted.get(key)
        if deleted is not None and now - deleted < 60:
            raise SimError(
                "QueueDeletedRecently",
                "You must wait 60 seconds after deleting a queue before you can create another with the "
                "same name.",
            )
        store.queues[key] = Queue(
            ctx.caller.account, ctx.caller.region, name, now, attributes, dict(params.get("tags") or {}), now
        )
        return {"QueueUrl": _url(ctx, ctx.caller.account, name)}

    def get_queue_url(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        account = params.get("QueueOwnerAWSAccountId") or ctx.caller.account
        if (account, ctx.caller.region, params["QueueName"]) not in store.queues:
            raise SimError("QueueDoesNotExist", "The specified queue does not exist.")
        return {"QueueUrl": _url(ctx, account, params["QueueName"])}

    def get_queue_attributes(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        now = engine.now()
        queue.expire(now)
        every = dict(DEFAULTS) | queue.attributes
        msgs = list(queue.messages.values())
        every |= {
            "QueueArn": queue.arn,
            "CreatedTimestamp": str(int(queue.created)),
            "LastModifiedTimestamp": str(int(queue.modified)),
            "ApproximateNumberOfMessages": str(sum(m.visible_at <= now for m in msgs)),
            "ApproximateNumberOfMessagesNotVisible": str(
                sum(m.visible_at > now and m.in_flight for m in msgs)
            ),
            "ApproximateNumberOfMessagesDelayed": str(
                sum(m.visible_at > now and not m.in_flight for m in msgs)
            ),
        }
        if "KmsMasterKeyId" in queue.attributes:
            every["SqsManagedSseEnabled"] = "false"
        names = params.get("AttributeNames") or []
        if "All" in names:
            return {"Attributes": every}
        for name in names:
            if name not in every and name not in (
                "RedrivePolicy",
                "RedriveAllowPolicy",
                "Policy",
                "KmsMasterKeyId",
            ):
                raise SimError("InvalidAttributeName", f"Unknown Attribute {name}.")
        picked = {n: every[n] for n in names if n in every}
        return {"Attributes": picked} if picked else {}

    def set_queue_attributes(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        attributes: dict[str, str] = dict(params["Attributes"])
        check_attributes(attributes)
        for name, value in attributes.items():
            if value == "" and name in ("Policy", "RedrivePolicy", "KmsMasterKeyId"):
                queue.attributes.pop(name, None)
            else:
                queue.attributes[name] = value
        queue.modified = engine.now()
        return {}

    def tag_queue(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        queue.tags.update(params["Tags"])
        return {}

    def untag_queue(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        for key in params["TagKeys"]:
            queue.tags.pop(key, None)
        return {}

    def list_queue_tags(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        return {"Tags": dict(queue.tags)} if queue.tags else {}

    def list_queues(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        prefix = params.get("QueueNamePrefix") or ""
        names = sorted(
            n
            for (a, r, n) in store.queues
            if a == ctx.caller.account and r == ctx.caller.region and n.startswith(prefix)
        )
        limit = params.get("MaxResults")
        if limit is None:
            if params.get("NextToken"):
                raise SimError(
                    "InvalidParameterValue",
                    "MaxResults is a mandatory parameter when you provide a value for NextToken.",
                )
            names = names[:1000]
            return {"QueueUrls": [_url(ctx, ctx.caller.account, n) for n in names]} if names else {}
        if not 1 <= limit <= 1000:
            raise SimError(
                "InvalidParameterValue",
                "Value for parameter MaxResults is invalid. Must be between 1 and 1000.",
            )
        start = int(params.get("NextToken") or 0) if str(params.get("NextToken") or "0").isdigit() else 0
        page = names[start : start + limit]
        out: dict[str, Any] = {"QueueUrls": [_url(ctx, ctx.caller.account, n) for n in page]}
        if start + limit < len(names):
            out["NextToken"] = str(start + limit)
        return out

    def send_message(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        import hashlib

        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        body = params["MessageBody"]
        if not body or len(body.encode()) > int(queue.attr("MaximumMessageSize")):
            raise SimError(
                "InvalidParameterValue", "The message body is empty or longer than the queue allows."
            )
        delay = params.get("DelaySeconds")
        if delay is not None and not 0 <= delay <= 900:
            raise SimError("InvalidParameterValue", "Value for parameter DelaySeconds is invalid.")
        msg = store.enqueue(queue, body, engine.now(), float(delay or 0), ctx.caller.user_id.split(":")[0])
        return {
            "MD5OfMessageBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
            "MessageId": msg.id,
        }

    def receive_message(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        limit = params.get("MaxNumberOfMessages", 1)
        if not 1 <= limit <= 10:
            raise SimError(
                "InvalidParameterValue",
                f"Value {limit} for parameter MaxNumberOfMessages is invalid. "
                "Reason: Must be between 1 and 10, if provided.",
            )
        wait = params.get("WaitTimeSeconds")
        if wait is not None and not 0 <= wait <= 20:
            raise SimError(
                "InvalidParameterValue",
                f"Value {wait} for parameter WaitTimeSeconds is invalid. "
                "Reason: Must be >= 0 and <= 20, if provided.",
            )
        visibility = params.get("VisibilityTimeout")
        if visibility is None:
            visibility = int(queue.attr("VisibilityTimeout"))
        if not 0 <= visibility <= 43200:
            raise SimError("InvalidParameterValue", "Value for parameter VisibilityTimeout is invalid.")
        names = list(params.get("AttributeNames") or []) + list(
            params.get("MessageSystemAttributeNames") or []
        )
        messages = store.receive(queue, engine.now(), limit, float(visibility), names)
        return {"Messages": messages} if messages else {}

    def delete_message(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        msg = store.find_handle(queue, params["ReceiptHandle"])
        # As in SQS: only the latest receipt handle deletes; an older one succeeds and does nothing.
        if msg is not None and msg.handle == params["ReceiptHandle"]:
            del queue.messages[msg.id]
        return {}

    def _batch_ids(entries: list[dict[str, Any]]) -> None:
        if not entries:
            raise SimError(
                "EmptyBatchRequest",
                "There should be at least one DeleteMessageBatchRequestEntry in the request.",
            )
        if len(entries) > 10:
            raise SimError(
                "TooManyEntriesInBatchRequest",
                f"Maximum number of entries per request are 10. You have sent {len(entries)}.",
            )
        ids = [e["Id"] for e in entries]
        if len(set(ids)) != len(ids):
            raise SimError(
                "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id."
            )

    def delete_message_batch(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        entries = params["Entries"]
        _batch_ids(entries)
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for entry in entries:
            try:
                msg = store.find_handle(queue, entry["ReceiptHandle"])
            except SimError as err:
                failed.append(
                    {"Id": entry["Id"], "SenderFault": True, "Code": err.code, "Message": err.message}
                )
                continue
            if msg is not None and msg.handle == entry["ReceiptHandle"]:
                del queue.messages[msg.id]
            ok.append({"Id": entry["Id"]})
        return {"Successful": ok, "Failed": failed}

    def change_message_visibility(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        timeout = params["VisibilityTimeout"]
        if not 0 <= timeout <= 43200:
            raise SimError(
                "InvalidParameterValue", f"Value {timeout} for parameter VisibilityTimeout is invalid."
            )
        msg = store.find_handle(queue, params["ReceiptHandle"])
        now = engine.now()
        if msg is None or not msg.in_flight or msg.visible_at <= now or msg.handle != params["ReceiptHandle"]:
            raise SimError(
                "MessageNotInflight",
                "Message does not exist or is not available for visibility timeout change.",
            )
        msg.visible_at = now + timeout
        msg.in_flight = timeout > 0
        return {}

    def delete_queue(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
        queue = store.by_url(params["QueueUrl"], ctx.caller.region)
        key = (queue.account, queue.region, queue.name)
        del store.queues[key]
        store.deleted[key] = engine.now()
        return {}

    return {
        "CreateQueue": create_queue,
        "GetQueueUrl": get_queue_url,
        "GetQueueAttributes": get_queue_attributes,
        "SetQueueAttributes": set_queue_attributes,
        "TagQueue": tag_queue,
        "UntagQueue": untag_queue,
        "ListQueueTags": list_queue_tags,
        "ListQueues": list_queues,
        "SendMessage": send_message,
        "ReceiveMessage": receive_message,
        "DeleteMessage": delete_message,
        "DeleteMessageBatch": delete_message_batch,
        "ChangeMessageVisibility": change_message_visibility,
        "DeleteQueue": delete_queue,
    }
