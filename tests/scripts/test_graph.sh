#!/bin/bash
# aslc graph: golden DOT and Mermaid files for every example and for
# tests/graph/order_run (statically, and coloured by a real run with a
# failure, a retry and a catch); SVG rendered through Graphviz's library and
# through the dot program, checked to name every state; the errors.
#
#   test_graph.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
#
# ASLC_UPDATE_GOLDEN=1 rewrites the golden files (review the diff).
set -u
ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
G=$SRC/tests/graph
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
cd "$WORK" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

golden() {  # golden WANT_FILE COMMAND...: stdout of COMMAND equals WANT_FILE
    local want=$1
    shift
    "$@" > got.txt 2> err.txt || fail "$*: exit $?: $(cat err.txt)"
    if [ "${ASLC_UPDATE_GOLDEN:-}" = 1 ]; then
        cp got.txt "$want"
    elif ! diff -u "$want" got.txt > diff.txt; then
        fail "$* differs from $want:"$'\n'"$(head -40 diff.txt)"
    fi
}

# Every state name in a definition, nested ones included.
state_names() {
    python3 - "$1" << 'EOF'
import json, sys
def walk(m):
    for name, st in m.get("States", {}).items():
        print(name)
        for b in st.get("Branches", []):
            walk(b)
        p = st.get("ItemProcessor") or st.get("Iterator")
        if p:
            walk(p)
walk(json.load(open(sys.argv[1])))
EOF
}
svg_names_all() {   # svg_names_all DEFINITION SVG
    grep -q '^<svg\|<svg ' "$2" || { fail "$2 is not SVG"; return; }
    while read -r n; do
        grep -qF ">$n</text>" "$2" || fail "$2 does not name the state $n"
    done < <(state_names "$1")
}

# ---- the examples: golden DOT and Mermaid, SVG both ways
for def in "$SRC"/examples/*.asl.json; do
    name=$(basename "$def" .asl.json)
    golden "$G/examples/$name.dot" "$ASLC" graph "$def"
    golden "$G/examples/$name.mmd" "$ASLC" graph "$def" --format mermaid
    "$ASLC" graph "$def" --format svg -o "$name.svg" 2> err.txt || fail "svg $name: $(cat err.txt)"
    svg_names_all "$def" "$name.svg"
    ASLC_GRAPH_USE_DOT=1 "$ASLC" graph "$def" --format svg > "$name-dot.svg" 2> err.txt ||
        fail "svg through dot $name: $(cat err.txt)"
    svg_names_all "$def" "$name-dot.svg"
done

# ---- a run with a failure, a retry and a catch
RUN=$G/order_run
golden "$RUN/expected.dot" "$ASLC" graph "$RUN/definition.json"
golden "$RUN/expected.mmd" "$ASLC" graph "$RUN/definition.json" --format mermaid
cat > fetch.sh << 'EOF'
#!/bin/sh
# Times out on the first call, answers on the second.
n=$(cat "$1" 2> /dev/null || echo 0)
echo $((n + 1)) > "$1"
cat > /dev/null
if [ "$n" = 0 ]; then
    echo '{"errorType": "FetchTimeout", "errorMessage": "the order service did not answer"}'
    exit 1
fi
echo '{"orderId": "A-17", "items": ["book", "lamp", "mug"]}'
EOF
cat > charge.sh << 'EOF'
#!/bin/sh
cat > /dev/null
echo '{"errorType": "PaymentDeclined", "errorMessage": "card expired"}'
exit 1
EOF
chmod +x fetch.sh charge.sh
"$ASLC" build "$RUN/definition.json" -o order-run \
    --bind "arn:aws:lambda:us-east-1:123456789012:function:fetch-order=$WORK/fetch.sh $WORK/count" \
    --bind "arn:aws:lambda:us-east-1:123456789012:function:charge-card=$WORK/charge.sh" \
    --bind "arn:aws:states:::sqs:sendMessage=/bin/cat" 2> err.txt ||
    fail "build order_run: $(cat err.txt)"
./order-run --input "$RUN/input.json" --wait-scale 0 --history run.json > /dev/null 2> err.txt
[ $? = 1 ] || fail "order_run should fail (OrderFailed): $(cat err.txt)"
python3 -c 'import json, sys; assert isinstance(json.load(open(sys.argv[1]))["events"], list)' run.json ||
    fail "--history does not write {\"events\": [...]}"
golden "$RUN/expected-run.dot" "$ASLC" graph "$RUN/definition.json" --history run.json
golden "$RUN/expected-run.mmd" "$ASLC" graph "$RUN/definition.json" --history run.json --format mermaid
"$ASLC" graph "$RUN/definition.json" --history run.json --format svg -o run.svg 2> err.txt ||
    fail "svg run: $(cat err.txt)"
svg_names_all "$RUN/definition.json" run.svg
grep -q 'retried 1 time' run.svg || fail "the run's SVG does not show the retry"
grep -q 'caught PaymentDeclined' run.svg || fail "the run's SVG does not show the catch"
grep -q 'not reached' run.svg || fail "the run's SVG does not show an unreached state"
grep -q '3 iterations' run.svg || fail "the run's SVG does not show the Map's iterations"
# The picture in docs/ is this run's (regenerate with ASLC_UPDATE_GOLDEN=1).
if [ "${ASLC_UPDATE_GOLDEN:-}" = 1 ]; then
    cp run.svg "$SRC/docs/graph-run.svg"
else
    cmp -s run.svg "$SRC/docs/graph-run.svg" || fail "docs/graph-run.svg is not the current rendering"
fi

# ---- errors
"$ASLC" graph "$RUN/definition.json" --format png > /dev/null 2> err.txt
[ $? = 2 ] || fail "--format png should exit 2"
grep -q "takes dot, svg or mermaid" err.txt || fail "--format png: $(cat err.txt)"
echo '[1, 2' > broken.json
"$ASLC" graph "$RUN/definition.json" --history broken.json > /dev/null 2> err.txt
[ $? = 2 ] || fail "a broken history should exit 2"
grep -q "broken.json:[0-9]*:[0-9]*: the history is not JSON" err.txt || fail "broken history: $(cat err.txt)"
"$ASLC" graph "$RUN/definition.json" --history nosuch.json > /dev/null 2> err.txt
grep -q "cannot read the history nosuch.json" err.txt || fail "missing history: $(cat err.txt)"
# No Graphviz library in use and no dot program: a clear message, no output file.
mkdir -p emptybin
ASLC_GRAPH_USE_DOT=1 PATH=$WORK/emptybin "$ASLC" graph "$RUN/definition.json" --format svg -o none.svg 2> err.txt
[ $? = 1 ] || fail "svg without Graphviz should fail"
grep -q "SVG needs Graphviz" err.txt || fail "svg without Graphviz: $(cat err.txt)"
[ -e none.svg ] && fail "a failed svg left its output"
"$ASLC" graph --help | grep -q '^usage: aslc graph' || fail "aslc graph --help"

if [ "$fails" -gt 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "test_graph: all passed"
