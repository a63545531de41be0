"""Python targets and Lambda authorizers used by the gateway tests (loaded as python:gateway_fixtures.handlers:X)."""

from __future__ import annotations

import asyncio
import base64
import json
import time


def echo(event, context):
    """Return the event and the context attributes so tests can inspect both."""
    seen = {
        "function_name": context.function_name,
        "aws_request_id": context.aws_request_id,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
    return {"statusCode": 200, "headers": {"content-type": "application/json", "x-handler": "echo"},
            "body": json.dumps({"event": event, "context": seen})}


async def async_echo(event, context):
    await asyncio.sleep(0)
    return {"statusCode": 200, "body": json.dumps({"event": event})}


def plain_dict(event, context):
    return {"message": "Hello from Lambda!"}


def plain_str(event, context):
    return "Hello from Lambda!"


def boom(event, context):
    raise ValueError("kaput")


def slow(event, context):
    time.sleep(0.5)
    return {"statusCode": 200, "body": "late"}


def body_object(event, context):
    return {"statusCode": 200, "body": {"not": "a string"}}


def cookies(event, context):
    return {"statusCode": 201, "cookies": ["a=1; Path=/", "b=2"], "headers": {"x-one": "1"}, "body": "made"}


def binary(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
            "body": base64.b64encode(b"\x00\x01\xff").decode(), "isBase64Encoded": True}


def multi_headers(event, context):
    return {"statusCode": 200, "headers": {"x-a": "single", "x-b": "b"},
            "multiValueHeaders": {"x-a": ["m1", "m2"]}, "body": ""}


def not_json(event, context):
    return {"statusCode": 200, "body": object()}


def allow_all(event, context):
    return {"isAuthorized": True, "context": {"who": "fixture"}}


NOT_CALLABLE = 42
