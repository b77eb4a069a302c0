"""Ask a real broker what it remembers of each producer (DescribeProducers, KIP-664).

The real back end's notebook comes from here, after each decision of a small run
(producer_state_reader.py) and after a broker action: the broker's own answer (producer
id, epoch, last sequence per partition), not from the simulator's rules.
"""

from __future__ import annotations

import socket
import time
from typing import NamedTuple

from kio.schema.describe_producers.v0.request import DescribeProducersRequest, TopicRequest
from kio.schema.describe_producers.v0.response import DescribeProducersResponse
from kio.schema.request_header.v2.header import RequestHeader
from kio.static.primitive import i16, i32

from idemlab.kafka import wire

DESCRIBE_PRODUCERS_KEY = 61
RETRY_S = 0.2


class ActiveProducer(NamedTuple):
    producer_id: int
    producer_epoch: int
    last_sequence: int


class NotReady(Exception):
    """The broker cannot answer for the partition yet (still loading it, or not its leader)."""


def describe_producers(address: tuple[str, int], topic: str, partition: int, timeout_s: float = 15.0):
    """The active producers of one partition as its leader reports them, retried while
    the broker is loading the partition after a restart.  None if it never answered."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return _ask(address, topic, partition, max(0.5, deadline - time.monotonic()))
        except (OSError, NotReady, *wire.UNREADABLE):
            if time.monotonic() >= deadline:
                return None
            time.sleep(RETRY_S)


def _ask(address: tuple[str, int], topic: str, partition: int, timeout_s: float) -> list[ActiveProducer]:
    header = RequestHeader(
        request_api_key=i16(DESCRIBE_PRODUCERS_KEY),
        request_api_version=i16(0),
        correlation_id=i32(1),
        client_id="idemlab-describe",
    )
    body = DescribeProducersRequest(topics=(TopicRequest(name=topic, partition_indexes=(i32(partition),)),))
    with socket.create_connection(address, timeout=timeout_s) as connection:
        connection.sendall(wire.encode_request(header, body))
        size = wire.FRAME_LENGTH.unpack(_read_exactly(connection, wire.FRAME_LENGTH.size))[0]
        payload = _read_exactly(connection, size)
    response = wire.decode_response(payload, wire.ApiCall(DESCRIBE_PRODUCERS_KEY, 0))
    if response is None or not isinstance(response.body, DescribeProducersResponse):
        raise NotReady("unreadable answer")
    for topic_response in response.body.topics:
        for answer in topic_response.partitions:
            if int(answer.error_code) != 0:
                raise NotReady(str(answer.error_code))
            return [
                ActiveProducer(int(p.producer_id), int(p.producer_epoch), int(p.last_sequence))
                for p in answer.active_producers
            ]
    raise NotReady("no answer for the partition")


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = connection.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("the broker closed the connection")
        chunks.extend(chunk)
    return bytes(chunks)
