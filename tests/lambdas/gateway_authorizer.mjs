// An HTTP API REQUEST authorizer with simple responses: allows the header value "let-me-in".
export const handler = async (event) => ({
  isAuthorized: event.headers?.authorization === 'let-me-in',
  context: { runtime: 'node', route: event.routeKey },
});
