// PreAuthentication that fails the way the sign-in's ClientMetadata (validationData) asks it to.
export const handler = async (event) => {
  const mode = (event.request.validationData || {}).mode;
  process.stdout.write("noise on stdout must not break the channel\n");
  if (mode === "throw") throw new Error("no entry today");
  if (mode === "slow") await new Promise((resolve) => setTimeout(resolve, 3000));
  if (mode === "bad") return "not the event";
  return event;
};
