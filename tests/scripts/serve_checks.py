"""boto3 and raw-protocol checks of `BINARY serve` (driven by test_serve.sh).

    serve_checks.py protocol ENDPOINT SM_ARN
    serve_checks.py sigv4 ENDPOINT            (server started with --credentials)
    serve_checks.py worker ENDPOINT ACTIVITY_ARN COUNT    (an activity worker)
    serve_checks.py executions ENDPOINT SM_ARN

Prints one line per failed check and exits 1 if any failed."""
import json
import sys
import time

import botocore.exceptions

import serve_client as sc

FAILS = []


def check(label, cond, got=None):
    if not cond:
        FAILS.append(label)
        print("FAIL: %s%s" % (label, "" if got is None else "; got: %.1500s" % (got,)), file=sys.stderr)


def expect_error(label, code, fn, *args, **kw):
    try:
        r = fn(*args, **kw)
    except botocore.exceptions.ClientError as e:
        check(label, e.response["Error"]["Code"] == code, e.response)
        check(label + " (HTTP 400)", e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.response)
        return e.response
    check(label + ": no error", False, r)
    return None


def protocol(endpoint, sm_arn):
    sfn = sc.client(endpoint)
    # Headers and an empty-input operation.
    st, h, body = sc.raw(endpoint, "ListStateMachines", {})
    check("ListStateMachines 200", st == 200, (st, body))
    check("content type", h.get("Content-Type") == "application/x-amz-json-1.0", h)
    check("request id", len(h.get("x-amzn-RequestId", "")) == 36, h)
    check("one state machine", [m["stateMachineArn"] for m in body["stateMachines"]] == [sm_arn], body)
    check("creationDate is epoch seconds", isinstance(body["stateMachines"][0]["creationDate"], float), body)
    # Errors of the protocol itself.
    st, h, body = sc.raw(endpoint, "NoSuchOperation", {})
    check("unknown operation", st == 400 and sc.err_type(body) == "UnknownOperationException", (st, body))
    st, h, body = sc.raw(endpoint, "ListActivities", None, data=b"{not json")
    check("body not JSON", st == 400 and sc.err_type(body) == "SerializationException", (st, body))
    st, h, body = sc.raw(endpoint, "ListActivities", None, data=b"[1]")
    check("body not an object", st == 400 and sc.err_type(body) == "SerializationException", (st, body))
    st, h, body = sc.raw(endpoint, "ListActivities", {"maxResults": "ten"})
    check("member of the wrong type", st == 400 and sc.err_type(body) == "SerializationException", (st, body))
    big = {"name": "x", "tags": [{"key": "k", "value": "v" * 200}] * 6000}
    st, h, body = sc.raw(endpoint, "CreateActivity", big)
    check("request over 1 MB refused", st == 413 and sc.err_type(body) == "RequestEntityTooLarge", (st, body))
    check("__type has AWS's namespace",
          isinstance(body, dict) and body.get("__type", "").startswith("com.amazon"), body)
    # Model constraints, AWS's wording.
    r = expect_error("maxResults 1001", "ValidationException", sfn.list_activities, maxResults=1001)
    if r:
        check("validation message", r["Error"]["Message"] ==
              "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
              "Member must have value less than or equal to 1000", r["Error"]["Message"])
    st, h, body = sc.raw(endpoint, "CreateActivity", {})
    check("missing required member", st == 400 and sc.err_type(body) == "ValidationException" and
          body["message"] == "1 validation error detected: Value at 'name' failed to satisfy constraint: "
          "Member must not be null", body)
    st, h, body = sc.raw(endpoint, "StartSyncExecution", {"stateMachineArn": sm_arn, "input": "y" * 262145})
    check("sensitive values are redacted", st == 400 and "*** Sensitive Data Redacted ***" in body["message"]
          and "yyyy" not in body["message"], body)
    st, h, body = sc.raw(endpoint, "DescribeStateMachine", {"stateMachineArn": sm_arn, "includedData": "ALL",
                                                            "maxResults": 5})
    check("enum message (unknown members ignored)", sc.err_type(body) == "ValidationException" and
          body["message"] == "1 validation error detected: Value 'ALL' at 'includedData' failed to satisfy "
          "constraint: Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]", body)
    st, h, body = sc.raw(endpoint, "CreateActivity", {"name": "", "tags": [{"key": "", "value": "v"}]})
    check("two violations", sc.err_type(body) == "ValidationException" and
          body["message"].startswith("2 validation errors detected: ") and "'tags.1.member.key'" in body["message"],
          body)

    # The state machine.
    d = sfn.describe_state_machine(stateMachineArn=sm_arn)
    check("DescribeStateMachine", d["name"] == sm_arn.rsplit(":", 1)[1] and d["type"] == "STANDARD"
          and d["status"] == "ACTIVE" and json.loads(d["definition"])["StartAt"], d)
    other = sm_arn.rsplit(":", 1)[0] + ":other"
    r = expect_error("unknown state machine", "StateMachineDoesNotExist", sfn.describe_state_machine,
                     stateMachineArn=other)
    if r:
        check("StateMachineDoesNotExist message",
              r["Error"]["Message"] == "State Machine Does Not Exist: '%s'" % other, r)
    r = expect_error("malformed ARN", "InvalidArn", sfn.describe_state_machine, stateMachineArn="nope")
    if r:
        check("InvalidArn message", r["Error"]["Message"] == "Invalid Arn: 'Invalid ARN prefix: nope'", r)
    act_arn = sm_arn.replace(":stateMachine:", ":activity:")
    expect_error("wrong resource type", "InvalidArn", sfn.describe_state_machine, stateMachineArn=act_arn)
    for op, member in (("ListStateMachineVersions", "stateMachineVersions"),
                       ("ListStateMachineAliases", "stateMachineAliases")):
        st, h, body = sc.raw(endpoint, op, {"stateMachineArn": sm_arn})
        check(op, st == 200 and body == {member: []}, (st, body))
        st, h, body = sc.raw(endpoint, op, {"stateMachineArn": sm_arn, "nextToken": "garbage"})
        check(op + " bad token", st == 400 and sc.err_type(body) == "InvalidToken", (st, body))

    # StartSyncExecution: the answer carries the outcome.
    r = sfn.start_sync_execution(stateMachineArn=sm_arn, input='{"n": 1}', name="sync-1")
    check("StartSyncExecution", r["status"] == "SUCCEEDED" and json.loads(r["output"]) == {"sum": 3} and
          ":express:%s:sync-1:" % sm_arn.rsplit(":", 1)[1] in r["executionArn"] and
          r["billingDetails"]["billedDurationInMilliseconds"] >= 100 and r["input"] == '{"n": 1}', r)
    # includedData is newer than Debian's botocore model: a raw call.
    st, h, r = sc.raw(endpoint, "StartSyncExecution", {"stateMachineArn": sm_arn, "includedData": "METADATA_ONLY"})
    check("StartSyncExecution METADATA_ONLY", st == 200 and "output" not in r and "input" not in r and
          r["status"] == "SUCCEEDED", r)
    r = expect_error("sync input not JSON", "InvalidExecutionInput", sfn.start_sync_execution,
                     stateMachineArn=sm_arn, input="not json")
    if r:
        check("InvalidExecutionInput message",
              r["Error"]["Message"].startswith("Invalid State Machine Execution Input: '"), r)
    expect_error("sync empty input", "InvalidExecutionInput", sfn.start_sync_execution, stateMachineArn=sm_arn,
                 input="")
    expect_error("sync bad name", "InvalidName", sfn.start_sync_execution, stateMachineArn=sm_arn, name="a b")
    expect_error("sync other machine", "StateMachineDoesNotExist", sfn.start_sync_execution,
                 stateMachineArn=sm_arn + "x")

    # Activities, with pagination.
    arns = [sfn.create_activity(name="act-%d" % i)["activityArn"] for i in range(5)]
    again = sfn.create_activity(name="act-0", tags=[{"key": "ignored", "value": "x"}])
    check("CreateActivity is idempotent by name", again["activityArn"] == arns[0], again)
    expect_error("InvalidName", "InvalidName", sfn.create_activity, name="bad name")
    expect_error("name too long", "ValidationException", sfn.create_activity, name="a" * 81)
    seen, token, pages = [], None, 0
    while True:
        kw = {"maxResults": 2}
        if token:
            kw["nextToken"] = token
        page = sfn.list_activities(**kw)
        pages += 1
        seen += [a["activityArn"] for a in page["activities"]]
        token = page.get("nextToken")
        if not token:
            break
    check("ListActivities pages", pages == 3 and [a for a in seen if a in arns] == arns, (pages, seen))
    expect_error("garbage nextToken", "InvalidToken", sfn.list_activities, nextToken="garbage")
    all_pages = [a["activityArn"] for p in sfn.get_paginator("list_activities").paginate(
        PaginationConfig={"PageSize": 1}) for a in p["activities"]]
    check("boto3 paginator", all_pages == seen, all_pages)
    d = sfn.describe_activity(activityArn=arns[1])
    check("DescribeActivity", d["name"] == "act-1" and d["activityArn"] == arns[1], d)
    sfn.delete_activity(activityArn=arns[4])
    sfn.delete_activity(activityArn=arns[4])      # twice: still 200, as AWS
    r = expect_error("deleted activity", "ActivityDoesNotExist", sfn.describe_activity, activityArn=arns[4])
    if r:
        check("ActivityDoesNotExist message", r["Error"]["Message"] == "Activity Does Not Exist: '%s'" % arns[4], r)
    expect_error("DeleteActivity of a bad ARN", "InvalidArn", sfn.delete_activity, activityArn="arn:aws:x")
    # GetActivityTask with nothing queued: an empty answer after the hold.
    t0 = time.time()
    r = sfn.get_activity_task(activityArn=arns[2], workerName="w")
    check("empty GetActivityTask", "taskToken" not in r and time.time() - t0 >= 0.9, r)
    expect_error("GetActivityTask unknown activity", "ActivityDoesNotExist", sfn.get_activity_task,
                 activityArn=arns[4])

    # Tags.
    sfn.tag_resource(resourceArn=sm_arn, tags=[{"key": "team", "value": "a"}, {"key": "team", "value": "b"},
                                               {"key": "empty", "value": ""}])
    tags = sfn.list_tags_for_resource(resourceArn=sm_arn)["tags"]
    check("tags collapse duplicates", sorted((t["key"], t["value"]) for t in tags) ==
          [("empty", ""), ("team", "b")], tags)
    sfn.untag_resource(resourceArn=sm_arn, tagKeys=["team"])
    check("untag", sfn.list_tags_for_resource(resourceArn=sm_arn)["tags"] == [{"key": "empty", "value": ""}])
    sfn.tag_resource(resourceArn=arns[0], tags=[{"key": "k", "value": "v"}])
    check("activity tags", sfn.list_tags_for_resource(resourceArn=arns[0])["tags"] == [{"key": "k", "value": "v"}])
    expect_error("tags on an unknown resource", "ResourceNotFound", sfn.list_tags_for_resource,
                 resourceArn=other)
    expect_error("too many tags", "TooManyTags", sfn.tag_resource, resourceArn=sm_arn,
                 tags=[{"key": "k%d" % i, "value": ""} for i in range(51)])


def sigv4(endpoint):
    good = sc.client(endpoint)
    good.list_activities()
    r = expect_error("wrong secret", "InvalidSignatureException",
                     sc.client(endpoint, secret="wrong").list_activities)
    if r:
        check("wrong secret message", r["Error"]["Message"].startswith(
            "The request signature we calculated does not match the signature you provided."), r)
    r = expect_error("unknown key", "UnrecognizedClientException",
                     sc.client(endpoint, key="AKIDUNKNOWN").list_activities)
    if r:
        check("unknown key message", r["Error"]["Message"] == "The security token included in the request is invalid.", r)
    st, h, body = sc.raw(endpoint, "ListActivities", {}, when=sc.utc(16))
    check("signature 16 minutes old", st == 400 and sc.err_type(body) == "InvalidSignatureException" and
          body["message"].startswith("Signature expired: "), (st, body))
    st, h, body = sc.raw(endpoint, "ListActivities", {}, when=sc.utc(14))
    check("signature 14 minutes old is accepted", st == 200, (st, body))
    st, h, body = sc.raw(endpoint, "ListActivities", {}, sign=False)
    check("unsigned", st in (400, 403) and sc.err_type(body) == "MissingAuthenticationTokenException", (st, body))
    st, h, body = sc.raw(endpoint, "ListActivities", {}, headers={"X-Amz-Target": "AWSStepFunctions.ListActivities"},
                         data=b'{"maxResults": 1}')
    check("signed body matches", st == 200, (st, body))


def executions(endpoint, sm_arn):
    sfn = sc.client(endpoint)
    ex = sm_arn.replace(":stateMachine:", ":execution:")
    r = sfn.start_execution(stateMachineArn=sm_arn, name="b-1", input='{"kind": "none"}')
    check("StartExecution", r["executionArn"] == ex + ":b-1" and isinstance(r["startDate"], object), r)
    d = sc.wait_status(endpoint, ex + ":b-1", "SUCCEEDED")
    check("DescribeExecution", d["name"] == "b-1" and d["input"] == '{"kind":"none"}' and
          json.loads(d["output"]) == {"kind": "none"} and d["redriveCount"] == 0 and
          d["redriveStatus"] == "NOT_REDRIVABLE" and
          d["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven" and
          d["stopDate"] >= d["startDate"], d)
    st, h, d = sc.raw(endpoint, "DescribeExecution", {"executionArn": ex + ":b-1", "includedData": "METADATA_ONLY"})
    check("DescribeExecution METADATA_ONLY", "input" not in d and "output" not in d, d)
    r = expect_error("a closed name again", "ExecutionAlreadyExists", sfn.start_execution,
                     stateMachineArn=sm_arn, name="b-1", input='{"kind": "none"}')
    if r:
        check("ExecutionAlreadyExists message", r["Error"]["Message"] == "Execution Already Exists: '%s:b-1'" % ex, r)
    # The same name and input while it runs: the same execution.
    a = sfn.start_execution(stateMachineArn=sm_arn, name="b-2", input='{"kind": "wait", "seconds": 30}')
    b = sfn.start_execution(stateMachineArn=sm_arn, name="b-2", input='{"kind": "wait", "seconds": 30}')
    check("idempotent StartExecution", a["executionArn"] == b["executionArn"] and a["startDate"] == b["startDate"], (a, b))
    expect_error("same name, other input", "ExecutionAlreadyExists", sfn.start_execution, stateMachineArn=sm_arn,
                 name="b-2", input='{"kind": "wait", "seconds": 31}')
    st = sfn.stop_execution(executionArn=ex + ":b-2", error="Ops.Stop", cause="no longer needed")
    d = sc.wait_status(endpoint, ex + ":b-2", "ABORTED")
    check("StopExecution", d["error"] == "Ops.Stop" and d["cause"] == "no longer needed" and
          d["redriveStatus"] == "REDRIVABLE", d)
    h = sfn.get_execution_history(executionArn=ex + ":b-2")["events"]
    check("ExecutionAborted last", h[-1]["type"] == "ExecutionAborted" and
          h[-1]["executionAbortedEventDetails"] == {"error": "Ops.Stop", "cause": "no longer needed"}, h[-1])
    again = sfn.stop_execution(executionArn=ex + ":b-2")
    check("stopping twice keeps the first stop", again["stopDate"] == st["stopDate"], (st, again))
    # Errors.
    expect_error("input not JSON", "InvalidExecutionInput", sfn.start_execution, stateMachineArn=sm_arn, input="{")
    expect_error("bad name", "InvalidName", sfn.start_execution, stateMachineArn=sm_arn, name="a/b")
    expect_error("other state machine", "StateMachineDoesNotExist", sfn.start_execution,
                 stateMachineArn=sm_arn + "-other")
    r = expect_error("unknown execution", "ExecutionDoesNotExist", sfn.describe_execution, executionArn=ex + ":nope")
    if r:
        check("ExecutionDoesNotExist message", r["Error"]["Message"] == "Execution Does Not Exist: '%s:nope'" % ex, r)
    expect_error("express ARN", "InvalidArn", sfn.describe_execution,
                 executionArn=ex.replace(":execution:", ":express:") + ":x:y")
    expect_error("history of an unknown execution", "ExecutionDoesNotExist", sfn.get_execution_history,
                 executionArn=ex + ":nope")
    expect_error("garbage token", "InvalidToken", sfn.send_task_success, taskToken="garbage", output="{}")
    expect_error("unknown token", "TaskDoesNotExist", sfn.send_task_heartbeat,
                 taskToken="aslc1." + "A" * 43)
    expect_error("output not JSON", "InvalidOutput", sfn.send_task_success,
                 taskToken="aslc1." + "A" * 43, output="{")
    # History pages, both orders, and without data.
    full = sfn.get_execution_history(executionArn=ex + ":b-1")["events"]
    ids = [e["id"] for e in full]
    check("history ids", ids == list(range(1, len(ids) + 1)) and full[0]["type"] == "ExecutionStarted" and
          full[0]["previousEventId"] == 0 and full[-1]["type"] == "ExecutionSucceeded", full)
    for reverse in (False, True):
        got = [e["id"] for p in sfn.get_paginator("get_execution_history").paginate(
            executionArn=ex + ":b-1", reverseOrder=reverse, PaginationConfig={"PageSize": 2}) for e in p["events"]]
        check("history pages reverse=%s" % reverse, got == (ids[::-1] if reverse else ids), got)
    bare = sfn.get_execution_history(executionArn=ex + ":b-1", includeExecutionData=False)["events"]
    check("includeExecutionData=false", "input" not in bare[0]["executionStartedEventDetails"] and
          len(bare) == len(full), bare[0])
    r = expect_error("history token of another execution", "InvalidToken", sfn.get_execution_history,
                     executionArn=ex + ":b-2", nextToken=sfn.get_execution_history(
                         executionArn=ex + ":b-1", maxResults=1)["nextToken"])
    # Lists: newest first, filters, pages.
    for i in range(3):
        sfn.start_execution(stateMachineArn=sm_arn, name="l-%d" % i, input='{"kind": "none"}')
    for i in range(3):
        sc.wait_status(endpoint, ex + ":l-%d" % i, "SUCCEEDED")
    names = [e["name"] for p in sfn.get_paginator("list_executions").paginate(
        stateMachineArn=sm_arn, statusFilter="SUCCEEDED", PaginationConfig={"PageSize": 2}) for e in p["executions"]]
    check("ListExecutions newest first", names[:4] == ["l-2", "l-1", "l-0", "b-1"], names)
    aborted = [e["name"] for e in sfn.list_executions(stateMachineArn=sm_arn, statusFilter="ABORTED")["executions"]]
    check("statusFilter", aborted == ["b-2"], aborted)
    st, h, body = sc.raw(endpoint, "ListExecutions", {"stateMachineArn": sm_arn, "redriveFilter": "REDRIVEN"})
    check("redriveFilter", st == 200 and body["executions"] == [], body)
    expect_error("ListExecutions without an ARN", "ValidationException", sfn.list_executions)
    d = sfn.describe_state_machine_for_execution(executionArn=ex + ":b-1")
    check("DescribeStateMachineForExecution", d["stateMachineArn"] == sm_arn and json.loads(d["definition"]), d)


def activity_results(endpoint, ex):
    for i, status in ((1, "SUCCEEDED"), (2, "SUCCEEDED"), (3, "FAILED")):
        d = sc.wait_status(endpoint, "%s:job-%d" % (ex, i), status)
        if status == "SUCCEEDED":
            check("job-%d output" % i, json.loads(d["output"])["work"] == {"doubled": 2 * i}, d)
        else:
            check("job-3 error", d["error"] == "Worker.Refused" and d["cause"] == "asked to fail", d)
    st, h, body = sc.raw(endpoint, "GetExecutionHistory", {"executionArn": "%s:job-1" % ex})
    types = [e["type"] for e in body["events"]]
    check("activity events", "ActivityScheduled" in types and "ActivityStarted" in types and
          "ActivitySucceeded" in types and
          types.index("ActivityScheduled") < types.index("ActivityStarted") < types.index("ActivitySucceeded"), types)
    started = [e for e in body["events"] if e["type"] == "ActivityStarted"]
    check("workerName", started and started[0].get("activityStartedEventDetails", {}).get("workerName") ==
          "boto3-worker", started)
    sched = [e for e in body["events"] if e["type"] == "ActivityScheduled"]
    check("ActivityScheduled details", sched and sched[0]["activityScheduledEventDetails"]["resource"] ==
          ex.replace(":execution:wf", ":activity:work") and
          sched[0]["activityScheduledEventDetails"].get("heartbeatInSeconds") == 30, sched)


def worker(endpoint, activity_arn, count):
    """An activity worker as people write them: poll, work, answer."""
    sfn = sc.client(endpoint)
    done = 0
    deadline = time.time() + 60
    while done < count and time.time() < deadline:
        task = sfn.get_activity_task(activityArn=activity_arn, workerName="boto3-worker")
        if not task.get("taskToken"):
            continue
        data = json.loads(task["input"])
        sfn.send_task_heartbeat(taskToken=task["taskToken"])
        if data.get("fail"):
            sfn.send_task_failure(taskToken=task["taskToken"], error="Worker.Refused", cause="asked to fail")
        else:
            sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"doubled": data["n"] * 2}))
        expect_error("answering twice", "TaskTimedOut", sfn.send_task_success, taskToken=task["taskToken"],
                     output="{}")
        done += 1
    check("worker served %d tasks" % count, done == count, done)


def main():
    mode, endpoint = sys.argv[1], sys.argv[2]
    if mode == "protocol":
        protocol(endpoint, sys.argv[3])
    elif mode == "sigv4":
        sigv4(endpoint)
    elif mode == "executions":
        executions(endpoint, sys.argv[3])
    elif mode == "activity-results":
        activity_results(endpoint, sys.argv[3])
    elif mode == "worker":
        worker(endpoint, sys.argv[3], int(sys.argv[4]))
    else:
        print("unknown mode " + mode, file=sys.stderr)
        sys.exit(2)
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
