"""The simulator's SQS through the real aiobotocore client: every response shape-checked against
botocore's model (``aio_client``), errors raised as botocore's modelled exceptions (through the
``x-amzn-query-error`` header), visibility timeouts on the simulator's clock, long polling in real
time."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from tests.support.sim import aio_client
from tests.support.wait import poll_until
from tui.sim import Simulator


async def _queue(sqs: object, name: str = "q1", **attributes: str) -> str:
    created = await sqs.create_queue(QueueName=name, Attributes=attributes, tags={"cptui": "yes"})  # type: ignore[attr-defined]
    return str(created["QueueUrl"])


async def test_queue_lifecycle(sim: Simulator) -> None:
    async with aio_client(sim, "sqs") as sqs:
        url = await _queue(sqs, "orders", MessageRetentionPeriod="86400", SqsManagedSseEnabled="true")
        assert url.endswith("/123456789012/orders")
        assert await _queue(sqs, "orders", MessageRetentionPeriod="86400") == url  # idempotent
        with pytest.raises(sqs.exceptions.QueueNameExists):
            await _queue(sqs, "orders", MessageRetentionPeriod="3600")
        assert (await sqs.get_queue_url(QueueName="orders"))["QueueUrl"] == url
        attrs = (await sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]))["Attributes"]
        assert attrs["QueueArn"] == "arn:aws:sqs:us-east-1:123456789012:orders"
        assert attrs["MessageRetentionPeriod"] == "86400" and attrs["SqsManagedSseEnabled"] == "true"
        policy = json.dumps({"Version": "2012-10-17", "Statement": []})
        await sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        got = await sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        assert got["Attributes"]["Policy"] == policy
        with pytest.raises(sqs.exceptions.InvalidAttributeName):
            await sqs.set_queue_attributes(QueueUrl=url, Attributes={"Colour": "blue"})
        await sqs.tag_queue(QueueUrl=url, Tags={"team": "platform"})
        assert (await sqs.list_queue_tags(QueueUrl=url))["Tags"] == {"cptui": "yes", "team": "platform"}
        await _queue(sqs, "other")
        listed = await sqs.list_queues(QueueNamePrefix="ord")
        assert listed["QueueUrls"] == [url]
        page = await sqs.list_queues(MaxResults=1)
        assert len(page["QueueUrls"]) == 1 and page["NextToken"]
        await sqs.delete_queue(QueueUrl=url)
        with pytest.raises(sqs.exceptions.QueueDoesNotExist) as info:
            await sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        assert info.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
        with pytest.raises(sqs.exceptions.QueueDoesNotExist):
            await sqs.get_queue_url(QueueName="orders")
        with pytest.raises(sqs.exceptions.QueueDeletedRecently):  # the name is held for 60 s
            await _queue(sqs, "orders")
        sim.clock.advance(61)
        assert await _queue(sqs, "orders") == url


async def test_visibility_timeout_runs_on_the_simulators_clock(sim: Simulator) -> None:
    async with aio_client(sim, "sqs") as sqs:
        url = await _queue(sqs, VisibilityTimeout="30")
        await sqs.send_message(QueueUrl=url, MessageBody="hello")
        first = (await sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]))[
            "Messages"
        ]
        assert [m["Body"] for m in first] == ["hello"]
        assert first[0]["Attributes"]["ApproximateReceiveCount"] == "1"
        assert "Messages" not in await sqs.receive_message(QueueUrl=url)  # in flight
        attrs = (await sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]))["Attributes"]
        assert attrs["ApproximateNumberOfMessagesNotVisible"] == "1"
        sim.clock.advance(31)
        names = ["ApproximateReceiveCount"]
        again = (await sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=names))["Messages"]
        assert again[0]["MessageId"] == first[0]["MessageId"]
        assert again[0]["Attributes"] == {"ApproximateReceiveCount": "2"}
        # Visibility 0 makes it visible at once; a longer one hides it until the clock passes it.
        await sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"], VisibilityTimeout=0
        )
        third = (await sqs.receive_message(QueueUrl=url, VisibilityTimeout=120))["Messages"]
        with pytest.raises(sqs.exceptions.MessageNotInflight):
            await sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"], VisibilityTimeout=10
            )
        await sqs.delete_message(QueueUrl=url, ReceiptHandle=third[0]["ReceiptHandle"])
        sim.clock.advance(600)
        assert "Messages" not in await sqs.receive_message(QueueUrl=url)
        with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
            await sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")


async def test_delete_message_batch(sim: Simulator) -> None:
    async with aio_client(sim, "sqs") as sqs:
        url = await _queue(sqs)
        for i in range(3):
            await sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        got = (await sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))["Messages"]
        assert sorted(m["Body"] for m in got) == ["m0", "m1", "m2"]
        entries = [{"Id": f"e{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
        entries.append({"Id": "bad", "ReceiptHandle": "garbage"})
        result = await sqs.delete_message_batch(QueueUrl=url, Entries=entries)
        assert sorted(s["Id"] for s in result["Successful"]) == ["e0", "e1", "e2"]
        assert [(f["Id"], f["Code"], f["SenderFault"]) for f in result["Failed"]] == [
            ("bad", "ReceiptHandleIsInvalid", True)
        ]
        with pytest.raises(sqs.exceptions.EmptyBatchRequest):
            await sqs.delete_message_batch(QueueUrl=url, Entries=[])
        with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct):
            await sqs.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": "a", "ReceiptHandle": "x"}, {"Id": "a", "ReceiptHandle": "y"}]
            )
        sim.clock.advance(60)
        assert "Messages" not in await sqs.receive_message(QueueUrl=url)


async def test_parameter_bounds_are_checked(sim: Simulator) -> None:
    async with aio_client(sim, "sqs") as sqs:
        url = await _queue(sqs)
        for kwargs in ({"MaxNumberOfMessages": 11}, {"WaitTimeSeconds": 21}):
            with pytest.raises(sqs.exceptions.ClientError) as info:
                await sqs.receive_message(QueueUrl=url, **kwargs)
            assert info.value.response["Error"]["Code"] == "InvalidParameterValue"


async def test_long_poll_returns_when_a_message_arrives(sim: Simulator) -> None:
    async with aio_client(sim, "sqs") as sqs, aio_client(sim, "sqs") as sender:
        url = await _queue(sqs)

        waiting = sim.calls["ReceiveMessage"] + 1

        async def send_later() -> None:
            await poll_until(lambda: sim.calls["ReceiveMessage"] >= waiting)  # the long poll is waiting
            await sender.send_message(QueueUrl=url, MessageBody="late")

        started = time.monotonic()
        task = asyncio.create_task(send_later())
        got = await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=8)
        waited = time.monotonic() - started
        await task
        assert [m["Body"] for m in got["Messages"]] == ["late"]
        assert waited < 8  # it answered on arrival, not at the end of the wait


async def test_long_poll_waits_for_its_bound_when_nothing_comes(sim: Simulator) -> None:
    async with aio_client(sim, "sqs") as sqs:
        url = await _queue(sqs)
        started = time.monotonic()
        got = await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
        assert "Messages" not in got
        assert time.monotonic() - started >= 0.9
        # Without WaitTimeSeconds the queue's ReceiveMessageWaitTimeSeconds applies.
        await sqs.set_queue_attributes(QueueUrl=url, Attributes={"ReceiveMessageWaitTimeSeconds": "1"})
        started = time.monotonic()
        assert "Messages" not in await sqs.receive_message(QueueUrl=url)
        assert time.monotonic() - started >= 0.9


async def test_sqs_faults_and_denials_carry_the_query_code(sim: Simulator) -> None:
    sim.set_faults("deny=ReceiveMessage")
    async with aio_client(sim, "sqs") as sqs:
        url = await _queue(sqs)
        with pytest.raises(sqs.exceptions.ClientError) as info:
            await sqs.receive_message(QueueUrl=url)
        error = info.value.response["Error"]
        assert error["Code"] == "AccessDenied"  # the Query code, as SQS reports it
        assert "sqs:ReceiveMessage" in error["Message"]
    sim.set_faults("throttle=1@SendMessage")
    async with aio_client(sim, "sqs") as sqs:
        with pytest.raises(sqs.exceptions.RequestThrottled):
            await sqs.send_message(QueueUrl=url, MessageBody="x")


async def test_only_the_latest_receipt_handle_deletes(sim: Simulator) -> None:
    async with aio_client(sim, "sqs") as sqs:
        url = await _queue(sqs, VisibilityTimeout="10")
        await sqs.send_message(QueueUrl=url, MessageBody="once")
        old = (await sqs.receive_message(QueueUrl=url))["Messages"][0]["ReceiptHandle"]
        sim.clock.advance(11)
        new = (await sqs.receive_message(QueueUrl=url))["Messages"][0]["ReceiptHandle"]
        await sqs.delete_message(QueueUrl=url, ReceiptHandle=old)  # succeeds, deletes nothing
        sim.clock.advance(11)
        again = (await sqs.receive_message(QueueUrl=url))["Messages"][0]
        assert again["Body"] == "once"
        await sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
        sim.clock.advance(11)
        assert "Messages" not in await sqs.receive_message(QueueUrl=url)
        assert new != again["ReceiptHandle"]
