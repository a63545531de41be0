// Amplify v6 as an app uses it: sign in (SRP), refresh the session, sign out everywhere.
// Prints one JSON line per step so the test can read what happened.
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';

const [endpoint, userPoolId, userPoolClientId, username, password] = process.argv.slice(2);
Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });

const step = (name, value) => console.log(JSON.stringify({ step: name, ...value }));
try {
  const result = await signIn({ username, password });
  step('signIn', { next: result.nextStep.signInStep });
  const first = await fetchAuthSession();
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  step('refresh', {
    newAccessToken: first.tokens.accessToken.toString() !== refreshed.tokens.accessToken.toString(),
    sub: refreshed.tokens.idToken.payload.sub,
  });
  await signOut({ global: true });
  step('signOut', {});
} catch (error) {
  step('error', { name: error.name, message: error.message });
  process.exitCode = 1;
}
