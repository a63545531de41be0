"""The example's Lambda handlers (called with API Gateway's v2.0 proxy event)."""

import json


def me(event, context):
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    return {"statusCode": 200, "body": json.dumps({"username": claims.get("cognito:username")})}


def orders(event, context):
    return {"statusCode": 200, "body": json.dumps({"orders": [], "client": event["requestContext"]["authorizer"]
                                                   ["jwt"]["claims"].get("client_id")})}
