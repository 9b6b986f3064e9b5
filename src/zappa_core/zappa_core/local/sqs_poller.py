"""Lambda's SQS poller on the local AWS: batches of up to ``BatchSize`` messages, gathered for up to
``MaximumBatchingWindowInSeconds``, one invocation per batch.

moto delivers an SQS mapping inside ``SendMessage``, one message per invocation, whatever the mapping's
batch size. Here moto's delivery is turned off (the mapping is taken off the queue's own list as moto
creates it) and a poller thread does what Lambda does: it receives visible messages (so visibility
timeouts, receive counts and redrive to a dead-letter queue apply), waits up to the batching window while
a batch is not full, invokes the function with the batch, deletes the batch when the function succeeds (all
but the ``batchItemFailures`` it reports, with ``ReportBatchItemFailures``), and leaves it to reappear after
the visibility timeout when it fails. Up to :data:`BATCHES_IN_FLIGHT` batches of one mapping run at once.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger("zappa.local.sqs")

POLL_INTERVAL_S = 0.2
BATCHES_IN_FLIGHT = 5
RECEIVE_MAX = 10  # messages per ReceiveMessage call

_original_create: Any = None
_poller: SqsPoller | None = None


def install(invoke: Any) -> SqsPoller:
    """Turn moto's in-request SQS delivery off and start the poller; ``invoke(function_arn, event)`` runs the
    mapped function and returns ``(payload, function_error)``."""
    global _original_create, _poller
    from moto.awslambda import models

    if _original_create is None:
        _original_create = models.LambdaBackend.create_event_source_mapping
        models.LambdaBackend.create_event_source_mapping = _create_event_source_mapping
    if _poller is None:
        _poller = SqsPoller(invoke)
        _poller.start()
    return _poller


def uninstall() -> None:
    global _original_create, _poller
    from moto.awslambda import models

    if _original_create is not None:
        models.LambdaBackend.create_event_source_mapping = _original_create
        _original_create = None
    if _poller is not None:
        _poller.stop()
        _poller = None


def _create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
    from zappa_core.local.conflicts import refuse_duplicate

    refuse_duplicate(self, spec)  # a second mapping of the same source: 409, as Lambda answers
    esm = _original_create(self, spec)
    from moto.sqs.models import sqs_backends

    for queue in sqs_backends[self.account_id][self.region_name].queues.values():
        if queue.queue_arn == esm.event_source_arn and queue.lambda_event_source_mappings.get(esm.function_arn) is esm:
            del queue.lambda_event_source_mappings[esm.function_arn]  # the poller delivers, not SendMessage
    if _poller is not None:
        _poller.wake()
    return esm


def sqs_record(message: Any, queue_arn: str, region: str) -> dict[str, Any]:
    """One record of the event Lambda sends for an SQS batch."""
    attributes = {
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "SentTimestamp": str(message.sent_timestamp),
        "SenderId": str(message.sender_id),
        "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
    }
    if message.group_id is not None:
        attributes["MessageGroupId"] = message.group_id
    if message.deduplication_id is not None:
        attributes["MessageDeduplicationId"] = message.deduplication_id
    if message.sequence_number is not None:
        attributes["SequenceNumber"] = str(message.sequence_number)
    record = {
        "messageId": message.id, "receiptHandle": message.receipt_handle, "body": message.body,
        "attributes": attributes,
        "messageAttributes": {name: _attribute(value) for name, value in (message.message_attributes or {}).items()},
        "md5OfBody": message.body_md5, "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": region,
    }
    if message.message_attributes:
        record["md5OfMessageAttributes"] = message.attribute_md5
    return record


def _attribute(value: dict[str, Any]) -> dict[str, Any]:
    data_type = value.get("data_type") or value.get("DataType") or "String"
    out: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": data_type}
    string = value.get("string_value", value.get("StringValue"))
    binary = value.get("binary_value", value.get("BinaryValue"))
    if string is not None:
        out["stringValue"] = string
    if binary is not None:
        out["binaryValue"] = base64.b64encode(binary).decode() if isinstance(binary, bytes) else binary
    return out


class SqsPoller:
    def __init__(self, invoke: Any) -> None:
        self.invoke = invoke
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="zappa-local-sqs")
        self._in_flight: dict[str, int] = {}
        self._window_started: dict[str, float] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="zappa-local-sqs-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(POLL_INTERVAL_S)
            self._wake.clear()
            try:
                self.poll_once()
            except Exception:  # the poller keeps running; the next round tries again
                log.exception("polling SQS queues failed")

    def poll_once(self) -> None:
        from moto.awslambda.models import lambda_backends
        from moto.sqs.models import sqs_backends

        for account, regions in list(lambda_backends.items()):
            for region, backend in list(regions.items()):
                for esm in list(backend._event_source_mappings.values()):
                    if not esm.event_source_arn.startswith("arn:aws:sqs:") or not esm.enabled:
                        continue
                    queue = next((q for q in list(sqs_backends[account][region].queues.values())
                                  if q.queue_arn == esm.event_source_arn), None)
                    if queue is not None:
                        self._poll(esm, queue, region)

    def _poll(self, esm: Any, queue: Any, region: str) -> None:
        from moto.sqs.models import sqs_backends

        with self._lock:
            if self._in_flight.get(esm.uuid, 0) >= BATCHES_IN_FLIGHT:
                return
        visible = queue.approximate_number_of_messages
        if not visible:
            self._window_started.pop(esm.uuid, None)
            return
        batch_size = int(esm.batch_size or 10)
        window = float(esm.max_batch_window or 0)
        if visible < batch_size and window > 0:
            started = self._window_started.setdefault(esm.uuid, time.monotonic())
            if time.monotonic() - started < window:
                return
        self._window_started.pop(esm.uuid, None)
        backend = sqs_backends[queue.account_id][queue.region]
        messages: list[Any] = []
        while len(messages) < batch_size:
            got = backend.receive_message(queue.name, min(RECEIVE_MAX, batch_size - len(messages)), 0,
                                          queue.visibility_timeout, message_attribute_names=["All"])
            if not got:
                break
            messages.extend(got)
        if not messages:
            return
        with self._lock:
            self._in_flight[esm.uuid] = self._in_flight.get(esm.uuid, 0) + 1
        self._pool.submit(self._deliver, esm, queue, region, messages)

    def _deliver(self, esm: Any, queue: Any, region: str, messages: list[Any]) -> None:
        from moto.sqs.models import sqs_backends

        try:
            event = {"Records": [sqs_record(m, queue.queue_arn, region) for m in messages]}
            try:
                payload, error = self.invoke(esm.function_arn, event)
            except Exception as exc:  # noqa: BLE001 - throttled or gone: the batch returns after the visibility timeout
                log.warning("SQS batch for %s not delivered: %s", esm.function_arn, exc)
                return
            if error:
                log.info("%s failed on a batch of %d from %s; it returns after the visibility timeout",
                         esm.function_arn, len(messages), queue.name)
                return
            failed = _reported_failures(esm, payload)
            backend = sqs_backends[queue.account_id][queue.region]
            for message in messages:
                if message.id not in failed:
                    backend.delete_message(queue.name, message.receipt_handle)
        finally:
            with self._lock:
                self._in_flight[esm.uuid] -= 1
            self._wake.set()


def _reported_failures(esm: Any, payload: Any) -> set[str]:
    """Message ids of a partial batch response, when the mapping asks for them (``ReportBatchItemFailures``)."""
    if "ReportBatchItemFailures" not in (getattr(esm, "function_response_types", None) or []):
        return set()
    if not isinstance(payload, dict) or not isinstance(payload.get("batchItemFailures"), list):
        return set()
    return {str(item.get("itemIdentifier")) for item in payload["batchItemFailures"] if isinstance(item, dict)}
