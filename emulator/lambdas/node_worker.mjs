// The emulator's Node.js worker: loads one handler module and runs the events the emulator sends.
// Channel: one JSON object per line. Requests arrive on stdin; answers leave on the real stdout only.
// Anything the handler prints (console.*, process.stdout.write) goes to stderr, which the emulator logs,
// so handler output can never corrupt the channel.
import { pathToFileURL } from "node:url";
import { createInterface } from "node:readline";
import { Console } from "node:console";

const [file, exportName] = process.argv.slice(2);
const channel = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, encoding, callback) => process.stderr.write(chunk, encoding, callback);
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

function answer(message) {
  channel(JSON.stringify(message) + "\n");
}

function errorOf(err) {
  if (err instanceof Error) return { errorType: err.name || "Error", errorMessage: err.message };
  if (typeof err === "string") return { errorType: "string", errorMessage: err };
  return { errorType: typeof err, errorMessage: JSON.stringify(err) ?? String(err) };
}

let handlerPromise = null;
function loadHandler() {
  handlerPromise ??= import(pathToFileURL(file).href).then((mod) => {
    const handler = mod[exportName] ?? mod.default?.[exportName];
    if (typeof handler !== "function") {
      const err = new Error(`${file}.${exportName} is undefined or not exported`);
      err.name = "Runtime.HandlerNotFound";
      throw err;
    }
    return handler;
  }, (err) => {
    const wrapped = new Error(`Error: ${err.message}`);
    wrapped.name = "Runtime.ImportModuleError";
    throw wrapped;
  });
  return handlerPromise;
}

function run(handler, event, fields) {
  const deadline = Date.now() + fields.remainingMs;
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) reject(err); else resolve(result);
    };
    const context = {
      ...fields,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: callback,
      succeed: (result) => callback(null, result),
      fail: (err) => callback(err ?? new Error("context.fail")),
    };
    delete context.remainingMs;
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === "function") {
        returned.then((value) => callback(null, value), (err) => callback(err ?? new Error("rejected")));
      } else if (handler.length < 3) {
        callback(null, returned);  // neither a promise nor a callback handler: its return value is the result
      }
    } catch (err) {
      callback(err);
    }
  });
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", async (line) => {
  if (!line.trim()) return;
  const { id, event, context } = JSON.parse(line);
  try {
    const handler = await loadHandler();
    const result = await run(handler, event, context);
    let payload;
    try {
      payload = JSON.stringify(result === undefined ? null : result);
    } catch (err) {
      answer({ id, ok: false, badPayload: true, errorMessage: String(err.message || err) });
      return;
    }
    channel(`{"id":${JSON.stringify(id)},"ok":true,"result":${payload}}\n`);
  } catch (err) {
    answer({ id, ok: false, ...errorOf(err) });
  }
});
lines.on("close", () => process.exit(0));
