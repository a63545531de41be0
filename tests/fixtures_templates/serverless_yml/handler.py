def hello(event, context):
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    return {"statusCode": 200, "body": f"hello {claims['email']}"}
