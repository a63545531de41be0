"""One invoker for Lambda code: Python handlers in process, Node.js handlers in a worker the emulator
starts, and any tool that speaks the Lambda Invoke API (`sam local start-lambda`, serverless-offline,
LocalStack). Triggers use it now; the gateway's authorizers and integrations can switch to it."""
