// A Lambda proxy integration in CommonJS with a callback: echoes what the authorizer put in the context.
exports.handler = (event, context, callback) => {
  callback(null, {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ authorizer: event.requestContext.authorizer, fn: context.functionName }),
  });
};
