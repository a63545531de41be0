// amazon-cognito-identity-js (the SDK Amplify v5 and many apps use) against the emulator: sign in with
// SRP and a TOTP code, let the library confirm the new device it is given (ConfirmDevice with its own
// verifier), then sign in again: the library sends DEVICE_KEY and answers DEVICE_SRP_AUTH with its device
// SRP proof, and a remembered device is asked no MFA. One JSON line per step on stdout.
// Usage: node device_session.mjs <endpoint> <poolId> <clientId> <username> <password> <totpCode>
import cognito from "amazon-cognito-identity-js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;
const [endpoint, UserPoolId, ClientId, Username, Password, totpCode] = process.argv.slice(2);

const memory = new Map();
const Storage = {
  setItem: (k, v) => memory.set(k, String(v)),
  getItem: (k) => (memory.has(k) ? memory.get(k) : null),
  removeItem: (k) => memory.delete(k),
  clear: () => memory.clear(),
};
const pool = new CognitoUserPool({ UserPoolId, ClientId, endpoint, Storage });
const say = (entry) => console.log(JSON.stringify(entry));

function signIn(step, code) {
  return new Promise((resolve, reject) => {
    const user = new CognitoUser({ Username, Pool: pool, Storage });
    let asked = false;
    user.authenticateUser(new AuthenticationDetails({ Username, Password }), {
      onSuccess: (session, userConfirmationNecessary) =>
        resolve({ step, ok: session.isValid(), mfaAsked: asked, userConfirmationNecessary: !!userConfirmationNecessary,
                  deviceKey: user.deviceKey || null }),
      onFailure: (err) => reject(err),
      totpRequired: () => {
        asked = true;
        if (!code) return reject(new Error("MFA asked on a remembered device"));
        user.sendMFACode(code, mfaCallbacks(resolve, reject, step, () => asked, user), "SOFTWARE_TOKEN_MFA");
      },
      mfaRequired: () => reject(new Error("SMS MFA asked")),
    });
  });
}

function mfaCallbacks(resolve, reject, step, asked, user) {
  return {
    onSuccess: (session, userConfirmationNecessary) =>
      resolve({ step, ok: session.isValid(), mfaAsked: asked(), userConfirmationNecessary: !!userConfirmationNecessary,
                deviceKey: user.deviceKey || null }),
    onFailure: (err) => reject(err),
  };
}

try {
  say(await signIn("first", totpCode));
  say({ step: "stored", deviceKey: Storage.getItem(`CognitoIdentityServiceProvider.${ClientId}.${Username}.deviceKey`) });
  say(await signIn("second", null));
} catch (err) {
  say({ step: "error", name: err.name || err.code, message: err.message });
  process.exitCode = 1;
}
