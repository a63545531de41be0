// Pre Token Generation V2_0: a claim in both tokens, a scope added, a scope and an ID-token claim suppressed.
export async function handler(event) {
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: { claimsToAddOrOverride: { tenant: "acme" }, claimsToSuppress: ["email"] },
      accessTokenGeneration: {
        claimsToAddOrOverride: { tenant: "acme", plan: { tier: "gold" }, sub: "not-allowed" },
        scopesToAdd: ["api/write"],
        scopesToSuppress: ["aws.cognito.signin.user.admin"],
      },
    },
  };
  return event;
}
