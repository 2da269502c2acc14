#!/usr/bin/env python3
"""aws_jobs.py - a local fake of the job APIs .sync Tasks poll, for tests.

Step Functions (json 1.0: StartExecution, DescribeExecution, StopExecution),
AWS Batch (rest-json: POST /v1/submitjob, /v1/describejobs, /v1/terminatejob)
and Glue (json 1.1: StartJobRun, GetJobRun, BatchStopJobRun).  A job is
RUNNING for its first two describes, then ends: FAILED when its input or
name contains "fail", else SUCCEEDED.  Prints its port on the first line;
every request is appended to LOGFILE as JSON (operation, body).

    aws_jobs.py LOGFILE
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JOBS = {}


def status_of(job):
    job["polls"] += 1
    if job.get("stopped"):
        return "ABORTED"
    if job["polls"] <= 2:
        return "RUNNING"
    return "FAILED" if job["fail"] else "SUCCEEDED"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, obj, ctype="application/x-amz-json-1.0"):
        out = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("x-amzn-RequestId", "req-%d" % len(JOBS))
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_POST(self):
        n = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        target = self.headers.get("x-amz-target", "")
        op = target.split(".")[-1] if target else self.path
        with open(self.server.logfile, "a") as f:
            f.write(json.dumps({"op": op, "body": body}) + "\n")
        if op == "StartExecution":
            arn = body["stateMachineArn"].replace(":stateMachine:", ":execution:") + ":" + body.get("name", "x%d" % len(JOBS))
            JOBS[arn] = {"polls": 0, "fail": "fail" in body.get("input", ""), "input": body.get("input", "{}"),
                         "sm": body["stateMachineArn"], "name": body.get("name", "x")}
            return self.reply(200, {"executionArn": arn, "startDate": 1700000000.25})
        if op == "DescribeExecution":
            j = JOBS.get(body["executionArn"])
            if not j:
                return self.reply(400, {"__type": "com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist",
                                        "message": "Execution Does Not Exist"})
            st = status_of(j)
            d = {"executionArn": body["executionArn"], "stateMachineArn": j["sm"], "name": j["name"],
                 "status": st, "startDate": 1700000000.25, "input": j["input"],
                 "inputDetails": {"included": True}}
            if st == "SUCCEEDED":
                d.update(output=json.dumps({"done": json.loads(j["input"])}), outputDetails={"included": True},
                         stopDate=1700000003.5)
            elif st in ("FAILED", "ABORTED"):
                d.update(error="ChildFailed", cause="the child said fail", stopDate=1700000003.5)
            return self.reply(200, d)
        if op == "StopExecution":
            j = JOBS.get(body["executionArn"])
            if j:
                j["stopped"] = True
            return self.reply(200, {"stopDate": 1700000004})
        if op == "/v1/submitjob":
            jid = "job-%d" % len(JOBS)
            JOBS[jid] = {"polls": 0, "fail": "fail" in body.get("jobName", ""), "name": body.get("jobName")}
            return self.reply(200, {"jobArn": "arn:aws:batch:us-east-1:123456789012:job/" + jid,
                                    "jobName": body.get("jobName"), "jobId": jid}, "application/json")
        if op == "/v1/describejobs":
            out = []
            for jid in body.get("jobs", []):
                j = JOBS[jid]
                st = status_of(j)
                out.append({"jobId": jid, "jobName": j["name"], "status": st, "jobQueue": "q",
                            "statusReason": "Essential container in task exited" if st == "FAILED" else None,
                            "createdAt": 1700000000000})
            for o in out:
                if o["statusReason"] is None:
                    del o["statusReason"]
            return self.reply(200, {"jobs": out}, "application/json")
        if op == "/v1/terminatejob":
            j = JOBS.get(body.get("jobId"))
            if j:
                j["stopped"] = True
            return self.reply(200, {}, "application/json")
        if op == "StartJobRun":
            rid = "jr_%d" % len(JOBS)
            JOBS[rid] = {"polls": 0, "fail": "fail" in body.get("JobName", ""), "name": body.get("JobName")}
            return self.reply(200, {"JobRunId": rid}, "application/x-amz-json-1.1")
        if op == "GetJobRun":
            j = JOBS[body["RunId"]]
            st = status_of(j)
            return self.reply(200, {"JobRun": {"Id": body["RunId"], "JobName": body["JobName"], "JobRunState": st,
                                               "StartedOn": 1700000000}}, "application/x-amz-json-1.1")
        if op == "BatchStopJobRun":
            return self.reply(200, {"SuccessfulSubmissions": []}, "application/x-amz-json-1.1")
        return self.reply(400, {"__type": "UnknownOperationException", "message": op})


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.logfile = sys.argv[1]
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
