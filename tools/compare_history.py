#!/usr/bin/env python3
"""Compare the execution history aslc's binaries record with the history AWS
recorded for the conformance cases.

usage: tools/compare_history.py ASLC CASES_DIR [--filter SUBSTR] [--verbose]

For each case that holds history.json, builds the definition, runs it with
--history (and its mock.json when there is one), and compares the sequence
of event types, ids and previousEventIds with AWS's.  Event ids matter:
AWS quotes the id of a state's Entered event in States.Runtime causes.
Prints one line per differing case and a summary.
"""
import json
import os
import subprocess
import sys
import tempfile


def events(path):
    with open(path) as fh:
        h = json.load(fh)
    if isinstance(h, dict):
        h = h.get("events", [])
    return [(e.get("id"), e.get("type"), e.get("previousEventId")) for e in h]


def run_case(aslc, case, work):
    binary = os.path.join(work, "m")
    r = subprocess.run([aslc, "build", os.path.join(case, "definition.json"), "-o", binary],
                       capture_output=True)
    if r.returncode != 0:
        return None, "build failed"
    hist = os.path.join(work, "h.json")
    argv = [binary, "--input", os.path.join(case, "input.json"), "--history", hist,
            "--result", os.path.join(work, "r.json")]
    if os.path.exists(os.path.join(case, "mock.json")):
        argv += ["--mock-config", os.path.join(case, "mock.json"), "--mock-case", "Recorded"]
    subprocess.run(argv, capture_output=True, timeout=60)
    if not os.path.exists(hist):
        return None, "no history written"
    return events(hist), None


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flt = ""
    if "--filter" in sys.argv:
        flt = sys.argv[sys.argv.index("--filter") + 1]
        args.remove(flt)
    verbose = "--verbose" in sys.argv
    aslc, cases = args[0], args[1]
    same = differ = skipped = 0
    for name in sorted(os.listdir(cases)):
        case = os.path.join(cases, name)
        if flt not in name or not os.path.exists(os.path.join(case, "history.json")):
            continue
        want = events(os.path.join(case, "history.json"))
        with tempfile.TemporaryDirectory() as work:
            got, err = run_case(aslc, case, work)
        if err:
            skipped += 1
            continue
        if [(t) for _, t, _ in got] == [t for _, t, _ in want] and got == want:
            same += 1
            continue
        differ += 1
        # first difference
        for i in range(max(len(got), len(want))):
            g = got[i] if i < len(got) else None
            w = want[i] if i < len(want) else None
            if g != w:
                print("DIFF %s: event %d: AWS %s, aslc %s" % (name, i + 1, w, g))
                break
        if verbose:
            print("   AWS :", [t for _, t, _ in want])
            print("   aslc:", [t for _, t, _ in got])
    print("%d same, %d differ, %d not run" % (same, differ, skipped))


if __name__ == "__main__":
    main()
