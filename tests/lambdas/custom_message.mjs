// CustomMessage, an ES module: a sign-up e-mail of the app's own words (the code stays a placeholder).
export const handler = async (event) => {
  if (event.triggerSource === "CustomMessage_SignUp") {
    event.response.emailSubject = "Welcome to Example";
    event.response.emailMessage = `Hi ${event.request.userAttributes.name}, your code is ${event.request.codeParameter}`;
  }
  return event;
};
