// Pre Token Generation V3_0 for machine clients (client_credentials): a claim naming the client.
module.exports.handler = async (event) => {
  event.response = {
    claimsAndScopeOverrideDetails: {
      accessTokenGeneration: { claimsToAddOrOverride: { caller: `machine:${event.callerContext.clientId}`,
                                                        source: event.triggerSource } },
    },
  };
  return event;
};
