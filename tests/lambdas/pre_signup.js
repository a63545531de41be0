// PreSignUp, CommonJS and callback style: auto-confirm everyone from example.com and verify their e-mail.
exports.handler = (event, context, callback) => {
  console.log("pre sign-up for", event.userName, "in", context.functionName);
  if ((event.request.userAttributes.email || "").endsWith("@example.com")) {
    event.response.autoConfirmUser = true;
    event.response.autoVerifyEmail = true;
  }
  callback(null, event);
};
