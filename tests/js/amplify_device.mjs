// Amplify v6 (Node) against the emulator as a new user goes: sign up, confirm with the e-mailed code (read
// from /_emulator/codes), sign in (Amplify confirms the new device it is given), remember the device, list
// it, refresh the session, sign out. One JSON line per step on stdout.
// Usage: node amplify_device.mjs <endpoint> <poolId> <clientId> <email> <password>
// Amplify names the device from navigator (a browser's); Node 20 has none, and Amplify then skips
// ConfirmDevice silently. A browser-like navigator is all it needs.
globalThis.navigator ??= { userAgent: 'Node.js device test' };
const { Amplify } = await import('aws-amplify');
const {
  confirmSignUp, fetchAuthSession, fetchDevices, rememberDevice, signIn, signOut, signUp,
} = await import('aws-amplify/auth');

const [endpoint, userPoolId, userPoolClientId, email, password] = process.argv.slice(2);
Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });
const step = (name, value) => console.log(JSON.stringify({ step: name, ...value }));

try {
  const up = await signUp({ username: email, password, options: { userAttributes: { email } } });
  step('signUp', { next: up.nextStep.signUpStep, userId: up.userId });
  const query = new URLSearchParams({ pool_id: userPoolId, username: up.userId, purpose: 'confirm_sign_up' });
  const code = (await (await fetch(`${endpoint}/_emulator/codes/latest?${query}`)).json()).code;
  const confirmed = await confirmSignUp({ username: email, confirmationCode: code });
  step('confirmSignUp', { next: confirmed.nextStep.signUpStep });
  const signedIn = await signIn({ username: email, password });
  step('signIn', { next: signedIn.nextStep.signInStep });
  await rememberDevice();
  const devices = await fetchDevices();
  step('devices', { count: devices.length, id: devices[0]?.id });
  const first = await fetchAuthSession();
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  step('refresh', { newAccessToken: first.tokens.accessToken.toString() !== refreshed.tokens.accessToken.toString() });
  await signOut({ global: true });
  step('signOut', {});
} catch (error) {
  step('error', { name: error.name, message: error.message });
  process.exitCode = 1;
}
