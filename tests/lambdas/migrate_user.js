// UserMigration: users of the old system (one here) come in with their attributes on first sign-in or reset.
const LEGACY = { "old.timer": { password: "Legacy-Passw0rd", email: "old.timer@example.com" } };

exports.handler = async (event) => {
  const found = LEGACY[event.userName];
  if (!found) throw new Error("User not found");
  if (event.triggerSource === "UserMigration_Authentication" && event.request.password !== found.password) {
    throw new Error("Bad password");
  }
  event.response.userAttributes = { email: found.email, email_verified: "true" };
  event.response.finalUserStatus = "CONFIRMED";
  event.response.messageAction = "SUPPRESS";
  return event;
};
