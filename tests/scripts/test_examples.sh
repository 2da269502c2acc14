#!/bin/bash
# The examples in examples/ keep working: each is built with aslc and run
# on its input, and its output is checked for what the example is about.
# $1 = aslc, $2 = a work directory; ASLC_SOURCE_DIR = the source tree.
set -u
ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:?}
EX=$SRC/examples
mkdir -p "$WORK"
cd "$WORK" || exit 1
status=0
fail() { echo "FAIL: $*"; status=1; }

run() {     # run NAME EXTRA-ARGS... -> output in $WORK/NAME.out
    local name=$1
    shift
    "$ASLC" build "$EX/$name.asl.json" -o "$WORK/$name" || { fail "$name does not build"; return 1; }
    "$WORK/$name" --input "$EX/$name.input.json" --wait-scale 0 --result "$WORK/$name.result" "$@" \
        > "$WORK/$name.out" || { fail "$name: $(cat "$WORK/$name.result")"; return 1; }
}

has() {     # has NAME JQ-FILTER: the output satisfies the filter
    jq -e "$2" "$WORK/$1.out" > /dev/null || fail "$1: output $(cat "$WORK/$1.out") does not satisfy $2"
}

run order-router && has order-router '.lane == "review" and (.skus | length) == 2'
run invoice-reminder && has invoice-reminder 'type == "object"'
run signup-plan && has signup-plan 'type == "object"'
FN=arn:aws:lambda:eu-west-1:123456789012:function
run fanout-report --bind "$FN:price-service=$EX/programs/price-service.sh" \
                  --bind "$FN:stock-service=$EX/programs/stock-service.sh" &&
    has fanout-report '.total == 717.6 and .backorder == ["4 x CHAIR-9"] and
                       .summary == "R-2024-118: 3 lines, 717.60 EUR"'
[ $status = 0 ] && echo "examples: all ran"
exit $status
