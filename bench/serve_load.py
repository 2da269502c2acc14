"""bench/serve_load.py - starts executions for bench/serve.sh and waits for them
in the store.

    serve_load.py PORT N SM_ARN DB done     start N, wait until N SUCCEEDED;
                                            prints "N seconds executions/s"
    serve_load.py PORT N SM_ARN DB parked   start N, wait until N are parked
                                            (RUNNING, a wake time, no owner)

Starts use 16 keep-alive connections; a throttled start is retried after 10 ms,
as SDKs back off."""
import http.client
import json
import sqlite3
import sys
import threading
import time

port, n, sm, db, until = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
body = json.dumps({"stateMachineArn": sm, "input": "{}"})
hdr = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.StartExecution"}
left = [n]
lock = threading.Lock()


def client():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while True:
        with lock:
            if left[0] <= 0:
                return
            left[0] -= 1
        while True:
            c.request("POST", "/", body, hdr)
            r = c.getresponse()
            r.read()
            if r.status == 200:
                break
            time.sleep(0.01)


threads = [threading.Thread(target=client) for _ in range(16)]
t0 = time.time()
for t in threads:
    t.start()
for t in threads:
    t.join()
con = sqlite3.connect(db, timeout=30)
while time.time() - t0 < 900:
    if until == "done":
        done, first, last = con.execute("SELECT count(*), min(start_date), max(stop_date) FROM executions"
                                        " WHERE status = 1").fetchone()
        if done >= n:
            print("%d %.2f %.0f" % (done, last - first, done / (last - first)))
            break
    else:
        parked = con.execute("SELECT count(*) FROM executions WHERE status = 0 AND wake_at IS NOT NULL"
                             " AND owner IS NULL").fetchone()[0]
        if parked >= n:
            print(parked)
            break
    time.sleep(0.2)
else:
    print("timed out", file=sys.stderr)
    sys.exit(1)
