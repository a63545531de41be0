"""Example Lambda handlers the bundled config.yaml routes to (`Target: python:examples.backend:<name>`).

They receive the same proxy events API Gateway sends a Lambda, authorizer context included."""

from __future__ import annotations

import json
from typing import Any


def mogemoge(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """HTTP API (payload 2.0): a plain dict is returned as a 200 JSON body, as on AWS."""
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    return {"message": f"hello {claims.get('cognito:username') or claims.get('username')}", "claims": claims}


def access(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """REST API (payload 1.0): seed story 2's Lambda answers with event.requestContext.authorizer.claims."""
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"claims": event["requestContext"]["authorizer"]["claims"]}),
    }


def echo_event(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Any API: answers with the proxy event it received (handy to see what a Lambda gets)."""
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
