-- bench/serve_start.lua - wrk script for bench/serve.sh: every request is an
-- awsJson1_0 call (OP: StartExecution or StartSyncExecution) on SM_ARN, with
-- no name, so that the server gives each execution a fresh one.
local op = os.getenv("OP") or "StartExecution"
local sm = os.getenv("SM_ARN")

wrk.method = "POST"
wrk.path = "/"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AWSStepFunctions." .. op
wrk.body = '{"stateMachineArn":"' .. sm .. '","input":"{\\"n\\":1}"}'
