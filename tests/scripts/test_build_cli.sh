#!/bin/bash
# The aslc command line: --help on every subcommand, check on several files,
# --cc / $CC split into words like a shell would, compiler and linker
# failures reported as what they are (with the command), -o into a missing
# folder, `aslc tasks`, libcurl linked only for real network calls, and
# interrupted or failed builds: the compiler's process group dies with aslc,
# no partial -o output, no temporary files left (issue 16 item 7).
#
#   test_build_cli.sh ASLC WORKDIR
set -u
ASLC=$1
WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK/tmp" "$WORK/out" || exit 1
export TMPDIR=$WORK/tmp
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
cd "$WORK" || exit 1

cat > ok.json << 'EOF'
{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": true}, "End": true}}}
EOF
cat > bad.json << 'EOF'
{"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "Nowhere"}}}
EOF
cat > http.json << 'EOF'
{"StartAt": "Get", "States": {"Get": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
 "Parameters": {"ApiEndpoint": "http://127.0.0.1:1/x", "Method": "GET",
  "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}},
 "Next": "Run"},
 "Run": {"Type": "Task", "Resource": "aslc:exec:/bin/cat", "Next": "Svc"},
 "Svc": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}}
EOF

# ---- --help on every subcommand: usage on stdout, exit 0
for c in build check emit-c tasks; do
    out=$("$ASLC" "$c" --help 2> err.txt)
    rc=$?
    [ "$rc" = 0 ] || fail "aslc $c --help exited $rc"
    case "$out" in "usage: aslc $c"*) ;; *) fail "aslc $c --help: $out" ;; esac
    [ -s err.txt ] && fail "aslc $c --help wrote to stderr: $(cat err.txt)"
done
"$ASLC" --help > /dev/null || fail "aslc --help"

# ---- check on several files
"$ASLC" check ok.json ok.json 2> err.txt || fail "check ok.json ok.json: $(cat err.txt)"
"$ASLC" check ok.json bad.json ok.json 2> err.txt
[ $? = 1 ] || fail "check with one invalid file should exit 1"
grep -q '^bad.json: /States/P/Next: ' err.txt || fail "check did not report bad.json: $(cat err.txt)"
grep -q 'ok.json' err.txt && fail "check reported a valid file: $(cat err.txt)"
"$ASLC" check 2> /dev/null
[ $? = 2 ] || fail "check without files should exit 2"

# ---- --cc and $CC are split into words like a shell would
cat > fakecc.sh << 'EOF'
#!/bin/sh
# Records its arguments, one per line, then runs the real compiler.
for a in "$@"; do printf '%s\n' "$a"; done > "$(dirname "$0")/cc-args.txt"
exec cc "$@"
EOF
chmod +x fakecc.sh
"$ASLC" build ok.json -o out/ok --cc "$WORK/fakecc.sh -DGREETING='\"two words\"' \"-DX=a b\"" 2> err.txt ||
    fail "--cc with quoted words: $(cat err.txt)"
grep -qx -- '-DGREETING="two words"' cc-args.txt || fail "--cc single quotes not kept as one word: $(cat cc-args.txt)"
grep -qx -- '-DX=a b' cc-args.txt || fail "--cc double quotes not kept as one word"
[ -x out/ok ] && [ "$(out/ok)" = '{"ok":true}' ] || fail "the binary built through --cc does not run"
rm -f cc-args.txt
CC="$WORK/fakecc.sh -DFROM_ENV" "$ASLC" build ok.json -o out/ok2 2> err.txt || fail "\$CC with words: $(cat err.txt)"
grep -qx -- '-DFROM_ENV' cc-args.txt || fail "\$CC was not split into words"
"$ASLC" build ok.json -o out/ok3 --cc "cc '-DX" 2> err.txt
[ $? = 1 ] || fail "an unbalanced quote in --cc should fail"
grep -q "quote is not closed" err.txt || fail "unbalanced quote message: $(cat err.txt)"

# ---- failures reported as what they are, with the command
"$ASLC" build ok.json -o out/nolib --cc "cc -lnosuchlib_aslctest" 2> err.txt
[ $? = 1 ] || fail "a missing library should fail the build"
grep -q "the linker cannot find the library nosuchlib_aslctest" err.txt || fail "missing library: $(cat err.txt)"
grep -q "aslc: the command was: cc -lnosuchlib_aslctest -std=c11" err.txt || fail "no command shown: $(cat err.txt)"
grep -q "aslc bug" err.txt && fail "a missing library was called an aslc bug"
"$ASLC" build ok.json -o out/nocc --cc "/nonexistent/cc" 2> err.txt
grep -q "cannot run the C compiler '/nonexistent/cc'" err.txt || fail "missing compiler: $(cat err.txt)"
[ -e out/nolib ] || [ -e out/nocc ] && fail "a failed build left an output"

# ---- -o into a missing folder: exit 2 before anything runs
"$ASLC" build ok.json -o "$WORK/missing/dir/wf" 2> err.txt
[ $? = 2 ] || fail "-o into a missing folder should exit 2"
grep -q "cannot write $WORK/missing/dir/wf: the folder $WORK/missing/dir does not exist" err.txt ||
    fail "-o missing folder: $(cat err.txt)"
grep -q "aslc bug" err.txt && fail "-o into a missing folder was called an aslc bug"

# ---- aslc tasks
"$ASLC" tasks http.json --bind 'arn:aws:states:::sqs:sendMessage=/bin/cat -n' > tasks.txt 2> err.txt ||
    fail "aslc tasks: $(cat err.txt)"
printf '%s\n' "/States/Get	arn:aws:states:::http:invoke	network: HTTP over libcurl" \
    "/States/Run	aslc:exec:/bin/cat	program: /bin/cat" \
    "/States/Svc	arn:aws:states:::sqs:sendMessage	bound: /bin/cat -n" > tasks.want
diff tasks.want tasks.txt > /dev/null || fail "aslc tasks: $(cat tasks.txt)"
"$ASLC" tasks http.json | grep -q "/States/Svc	arn:aws:states:::sqs:sendMessage	network: AWS API call sqs SendMessage (" ||
    fail "aslc tasks: an unbound service task"

# ---- libcurl only for real network calls
"$ASLC" build http.json -o out/net 2> err.txt || fail "build http.json: $(cat err.txt)"
readelf -d out/net | grep -q 'libcurl' || fail "an HTTP task should link libcurl"
"$ASLC" build http.json -o out/bound --bind 'arn:aws:states:::http:invoke=/bin/cat' \
    --bind 'arn:aws:states:::sqs:sendMessage=/bin/cat' 2> err.txt ||
    fail "build bound: $(cat err.txt)"
readelf -d out/bound | grep -q 'libcurl' && fail "bound network tasks linked libcurl"

# ---- a relative --bind program is resolved when the binary is built
mkdir -p progs elsewhere
printf '#!/bin/sh\necho "{\\"bound\\": true}"\n' > progs/answer.sh
chmod +x progs/answer.sh
"$ASLC" build http.json -o out/rel --bind 'arn:aws:states:::http:invoke=progs/answer.sh' \
    --bind 'arn:aws:states:::sqs:sendMessage=./progs/answer.sh' 2> err.txt || fail "relative bind: $(cat err.txt)"
(cd elsewhere && ../out/rel) > rel.out 2> err.txt || fail "a relative binding broke in another folder: $(cat err.txt)"
grep -q '"bound":true' rel.out || fail "relative binding output: $(cat rel.out)"

# ---- no temporary files after the builds above
[ -z "$(ls -A tmp)" ] || fail "temporary files left in TMPDIR: $(ls -A tmp)"
[ -z "$(ls -A out | grep '\.aslc-')" ] || fail "temporary outputs left: $(ls -A out)"

# ---- a compiler that fails after writing part of its output leaves nothing
cat > partialcc.sh << 'EOF'
#!/bin/sh
while [ $# -gt 1 ]; do [ "$1" = -o ] && out=$2; shift; done
echo partial > "$out"
exit 1
EOF
chmod +x partialcc.sh
"$ASLC" build ok.json -o out/partial --cc "$WORK/partialcc.sh" 2> err.txt
[ $? = 1 ] || fail "a failing compiler should fail the build"
[ -e out/partial ] && fail "a failed build left a partial output"
[ -z "$(ls -A out | grep '\.aslc-')" ] || fail "a failed build left a temporary output: $(ls -A out)"
[ -z "$(ls -A tmp)" ] || fail "a failed build left temporary files: $(ls -A tmp)"

# ---- killing aslc build kills the compiler's process group
cat > slowcc.sh << 'EOF'
#!/bin/sh
# A compiler that runs a child and writes its output after 3 s.
while [ $# -gt 1 ]; do [ "$1" = -o ] && out=$2; shift; done
sleep 30 &
echo "$$ $!" > "$(dirname "$0")/slowcc.pids"
sleep 3
echo late > "$out"
EOF
chmod +x slowcc.sh
for sig in TERM INT HUP; do
    rm -f slowcc.pids
    # A background job starts with SIGINT ignored; give aslc the default back.
    python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
        "$ASLC" build ok.json -o out/killed --cc "$WORK/slowcc.sh" 2> err.txt &
    apid=$!
    for _ in $(seq 100); do [ -s slowcc.pids ] && break; sleep 0.05; done
    [ -s slowcc.pids ] || fail "the slow compiler did not start: $(cat err.txt)"
    kill -"$sig" "$apid"
    wait "$apid" 2> /dev/null
    sleep 0.5
    for p in $(cat slowcc.pids 2> /dev/null); do
        # A zombie (dead, not yet reaped by init) does not count.
        st=$(ps -o stat= -p "$p" 2> /dev/null)
        if [ -n "$st" ] && [ "${st#Z}" = "$st" ]; then
            fail "SIG$sig: the compiler's process $p outlived aslc"
            kill "$p"
        fi
    done
    sleep 3
    [ -e out/killed ] && fail "SIG$sig: an interrupted build wrote its -o output"
    [ -z "$(ls -A out | grep '\.aslc-')" ] || fail "SIG$sig: temporary output left: $(ls -A out)"
    [ -z "$(ls -A tmp)" ] || fail "SIG$sig: temporary files left in TMPDIR: $(ls -A tmp)"
    rm -f out/killed tmp/* out/.killed.aslc-*
done

if [ "$fails" -gt 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "test_build_cli: all passed"
