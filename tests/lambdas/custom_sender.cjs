// A custom e-mail/SMS sender written as the developer guide's "Custom email sender Lambda trigger" sample
// writes it: @aws-crypto/client-node, a KmsKeyringNode over the key ARN, REQUIRE_ENCRYPT_ALLOW_DECRYPT, and
// decrypt(keyring, base64-decoded event.request.code). Its KMS calls go to AWS_ENDPOINT_URL_KMS (the emulator
// sets it for its Node workers). "Sending" appends the decrypted code to the file SENDER_OUTBOX names.
const fs = require("node:fs");
const { createRequire } = require("node:module");

// The tests' npm packages are installed in tests/js (by the tests): require the SDK from there.
const encryptionSdk = createRequire(require.resolve("../js/package.json"))("@aws-crypto/client-node");

const { decrypt } = encryptionSdk.buildClient(encryptionSdk.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
const keyIds = [process.env.KEY_ID];
const keyring = new encryptionSdk.KmsKeyringNode({ keyIds });

exports.handler = async (event) => {
  let plainTextCode;
  if (event.request.code) {
    const { plaintext, messageHeader } = await decrypt(keyring, Buffer.from(event.request.code, "base64"));
    plainTextCode = plaintext.toString();
    if (messageHeader.encryptionContext["userpool-id"] !== event.userPoolId) {
      throw new Error("the code was not encrypted for this user pool");
    }
  }
  if (event.request.clientMetadata && event.request.clientMetadata.fail) {
    throw new Error(event.request.clientMetadata.fail);
  }
  fs.appendFileSync(process.env.SENDER_OUTBOX, JSON.stringify({
    triggerSource: event.triggerSource, userName: event.userName, version: event.version,
    type: event.request.type, code: plainTextCode, userAttributes: event.request.userAttributes,
    clientId: event.callerContext.clientId,
  }) + "\n");
};
