"""Kafka wire frames decoded and encoded with kio's generated schema classes.

A frame is a 4-byte big-endian length followed by a header and a body.  Which header
version a message uses is a property of its body schema (`__header_schema__`), so a
request header is read twice: first as v1 (a prefix of v2) to learn the api key and
version, then with the exact header class of that body.  Anything kio has no schema for
comes back as None and the caller passes the bytes through untouched.
"""

from __future__ import annotations

import datetime
import io
import struct
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

from kio.index import KioIndexError, load_payload_module, load_request_schema, load_response_schema
from kio.schema.errors import ErrorCode
from kio.schema.request_header.v1.header import RequestHeader as RequestHeaderV1
from kio.schema.response_header.v0.header import ResponseHeader as ResponseHeaderV0
from kio.serial import entity_reader, entity_writer
from kio.serial.errors import SerialError
from kio.static.constants import EntityType
from kio.static.primitive import i16, i32, i64

FRAME_LENGTH = struct.Struct(">i")

PRODUCE_KEY = 0
FETCH_KEY = 1
METADATA_KEY = 3
FIND_COORDINATOR_KEY = 10
INIT_PRODUCER_ID_KEY = 22
DESCRIBE_CLUSTER_KEY = 60

# What kio raises on a truncated or malformed frame; anything else is a bug and propagates.
UNREADABLE = (SerialError, ValueError)


@dataclass(frozen=True)
class ApiCall:
    """What a correlation id stands for on one connection."""

    api_key: int
    api_version: int


@dataclass(frozen=True)
class Request:
    header: Any  # kio RequestHeader (v1 or v2)
    body: Any | None  # kio request payload, None when kio cannot decode it

    @property
    def call(self) -> ApiCall:
        return ApiCall(self.header.request_api_key, self.header.request_api_version)


@dataclass(frozen=True)
class Response:
    header: Any  # kio ResponseHeader (v0 or v1)
    body: Any  # kio response payload


def frame(payload: bytes) -> bytes:
    return FRAME_LENGTH.pack(len(payload)) + payload


def _schema(loader, api_key: int, version: int):
    try:
        return loader(api_key, version)
    except (KioIndexError, ImportError, ValueError, AttributeError):
        return None


def request_schema(api_key: int, version: int):
    return _schema(load_request_schema, api_key, version)


def response_schema(api_key: int, version: int):
    return _schema(load_response_schema, api_key, version)


def decode_request(payload: bytes) -> Request | None:
    """Decode a request payload (without its length prefix); None if even the header
    is unreadable.  `body` is None when kio has no schema for that api/version."""
    try:
        header, _ = entity_reader(RequestHeaderV1)(payload, 0)
    except UNREADABLE:
        return None
    schema = request_schema(header.request_api_key, header.request_api_version)
    if schema is None:
        return Request(header, None)
    try:
        header, header_size = entity_reader(schema.__header_schema__)(payload, 0)
        body, _ = entity_reader(schema)(payload, header_size)
    except UNREADABLE:
        return Request(header, None)
    return Request(header, body)


def response_correlation_id(payload: bytes) -> int | None:
    """Every response header version starts with the correlation id (v0 is only that)."""
    try:
        header, _ = entity_reader(ResponseHeaderV0)(payload, 0)
    except UNREADABLE:
        return None
    return header.correlation_id


def decode_response(payload: bytes, call: ApiCall) -> Response | None:
    schema = response_schema(call.api_key, call.api_version)
    if schema is None:
        return None
    try:
        header, header_size = entity_reader(schema.__header_schema__)(payload, 0)
        body, _ = entity_reader(schema)(payload, header_size)
    except UNREADABLE:
        return None
    return Response(header, body)


def encode_response(correlation_id: int, body: Any) -> bytes:
    """A complete frame (length prefix included) carrying `body`."""
    header_type = type(body).__header_schema__
    buffer = io.BytesIO()
    entity_writer(header_type)(buffer, header_type(correlation_id=correlation_id))
    entity_writer(type(body))(buffer, body)
    return frame(buffer.getvalue())


def encode_request(header: Any, body: Any) -> bytes:
    buffer = io.BytesIO()
    entity_writer(type(header))(buffer, header)
    entity_writer(type(body))(buffer, body)
    return frame(buffer.getvalue())


# ---- building and rewriting response bodies -------------------------------------------


def _response_module(api_key: int, version: int):
    return load_payload_module(api_key, version, EntityType.response)


def _make(entity_type: type, **candidates: Any) -> Any:
    """An entity of `entity_type` from whichever candidate fields that version has."""
    names = {f.name for f in fields(entity_type)}
    return entity_type(**{name: value for name, value in candidates.items() if name in names})


NO_THROTTLE = datetime.timedelta(0)


def produce_error_response(request: Request, error_code: int) -> Any:
    """A Produce response of the request's version failing every partition with
    `error_code` and base offset -1, as a broker would."""
    module = _response_module(PRODUCE_KEY, request.call.api_version)
    topics = []
    for topic in request.body.topic_data:
        partitions = tuple(
            _make(
                module.PartitionProduceResponse,
                index=partition.index,
                error_code=ErrorCode(error_code),
                base_offset=i64(-1),
                record_errors=(),
            )
            for partition in topic.partition_data
        )
        topics.append(
            _make(
                module.TopicProduceResponse,
                name=getattr(topic, "name", None),
                topic_id=getattr(topic, "topic_id", None),
                partition_responses=partitions,
            )
        )
    return _make(module.ProduceResponse, responses=tuple(topics), throttle_time=NO_THROTTLE)


def init_producer_id_error_response(request: Request, error_code: int) -> Any:
    module = _response_module(INIT_PRODUCER_ID_KEY, request.call.api_version)
    return _make(
        module.InitProducerIdResponse,
        throttle_time=NO_THROTTLE,
        error_code=ErrorCode(error_code),
        producer_id=i64(-1),
        producer_epoch=i16(-1),
    )


def rewrite_endpoints(entity: Any, addresses: dict[int, tuple[str, int]]) -> Any:
    """`entity` with the host and port of every broker endpoint inside it (Metadata
    brokers, DescribeCluster brokers, FindCoordinator coordinators, node_endpoints of
    Produce and Fetch) replaced by addresses[node id]; the same object if nothing
    changed.  Nodes missing from `addresses` keep their real address."""
    if not is_dataclass(entity):
        return entity
    changes: dict[str, Any] = {}
    names = set()
    for field_ in fields(entity):
        names.add(field_.name)
        value = getattr(entity, field_.name)
        if isinstance(value, tuple) and value and is_dataclass(value[0]):
            rewritten = tuple(rewrite_endpoints(item, addresses) for item in value)
            if any(new is not old for new, old in zip(rewritten, value, strict=False)):
                changes[field_.name] = rewritten
        elif is_dataclass(value):
            rewritten = rewrite_endpoints(value, addresses)
            if rewritten is not value:
                changes[field_.name] = rewritten
    if {"host", "port"} <= names:
        node_id = getattr(entity, "node_id", getattr(entity, "broker_id", None))
        if node_id in addresses:
            host, port = addresses[node_id]
            if (entity.host, entity.port) != (host, port):
                changes.update(host=host, port=i32(port))
    return replace(entity, **changes) if changes else entity
