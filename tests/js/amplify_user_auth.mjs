// Amplify v6 choice-based sign-in (authFlowType USER_AUTH) against the emulator: with PREFERRED_CHALLENGE
// EMAIL_OTP, by selecting EMAIL_OTP among the available challenges, and with PASSWORD_SRP; the e-mailed code
// is read from the emulator's /_emulator/codes. One JSON line per step on stdout.
// Usage: node amplify_user_auth.mjs <endpoint> <poolId> <clientId> <username> <password>
import { Amplify } from 'aws-amplify';
import { confirmSignIn, signIn, signOut } from 'aws-amplify/auth';

const [endpoint, userPoolId, userPoolClientId, username, password] = process.argv.slice(2);
Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });
const step = (name, value) => console.log(JSON.stringify({ step: name, ...value }));

async function emailedCode() {
  const query = new URLSearchParams({ pool_id: userPoolId, username, purpose: 'email_otp' });
  const response = await fetch(`${endpoint}/_emulator/codes/latest?${query}`);
  return (await response.json()).code;
}

try {
  let result = await signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
  step('preferred', { next: result.nextStep.signInStep, destination: result.nextStep.codeDeliveryDetails?.destination });
  result = await confirmSignIn({ challengeResponse: await emailedCode() });
  step('preferredDone', { next: result.nextStep.signInStep });
  await signOut();

  result = await signIn({ username, options: { authFlowType: 'USER_AUTH' } });
  step('select', { next: result.nextStep.signInStep, available: result.nextStep.availableChallenges });
  result = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
  step('selected', { next: result.nextStep.signInStep });
  result = await confirmSignIn({ challengeResponse: await emailedCode() });
  step('selectedDone', { next: result.nextStep.signInStep });
  await signOut();

  result = await signIn({ username, password, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' } });
  step('srp', { next: result.nextStep.signInStep });
  await signOut();
} catch (error) {
  step('error', { name: error.name, message: error.message });
  process.exitCode = 1;
}
