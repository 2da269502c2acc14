#!/usr/bin/env bash
# test_structure.sh - the shape rules of issue 10, checked on every build:
#
#   1. no function in compiler/, grammar/ or runtime/ is longer than 150
#      lines (universal-ctags finds each function's first and last line);
#   2. the module graph of the runtime (libaslrt.a) and of the compiler
#      (aslc's objects) has no cycle;
#   3. libaslrt.a exports only asl_-prefixed symbols (`nm -g --defined-only`),
#      so nothing private reaches a user binary's namespace.
#
# The module graph is measured, not parsed: module A depends on module B
# when an object of A has an undefined symbol that an object of B defines
# (nm).  A module is one .c file and its header; a file D/S_X.c with no
# header of its own joins module D/S when D/S.c or D/S_int.h / D/S_internal.h
# exists (check_exec.c is part of check, jn_eval.c of the JSONata evaluator
# behind jn_internal.h).  Calls through function pointers (the generated
# state table, the program's JSONata hook) are not edges: they are how a
# lower module hands control back up without depending on it.
#
# Usage: test_structure.sh ASLC WORKDIR (as tests/CMakeLists.txt runs scripts).
set -euo pipefail

aslc=$1
work=$2
src=${ASLC_SOURCE_DIR:?ASLC_SOURCE_DIR is the source tree}
build=$(cd "$(dirname "$aslc")/.." && pwd)
lib=$build/runtime/libaslrt.a
objs=$build/compiler/CMakeFiles/aslc.dir
max_lines=150
mkdir -p "$work"

for tool in ctags nm python3; do
    command -v "$tool" > /dev/null || { echo "test_structure: $tool missing (tools/bootstrap.sh installs it)"; exit 1; }
done
ctags --version 2> /dev/null | grep -q 'Universal Ctags' ||
    { echo "test_structure: ctags is not universal-ctags (tools/bootstrap.sh installs it)"; exit 1; }
[ -f "$lib" ] || { echo "test_structure: $lib not built"; exit 1; }
[ -d "$objs" ] || { echo "test_structure: $objs not found"; exit 1; }

status=0

# ---------------------------------------------------------------- 1. lengths
(cd "$src" && find compiler grammar runtime -name '*.[ch]' -print) | sort > "$work/files"
(cd "$src" && ctags -x --_xformat='%{end} %n %N %F' --kinds-C=f --language-force=C -L - < "$work/files") |
    awk -v max="$max_lines" '$1 - $2 + 1 > max { printf "  %s (%s:%d) is %d lines\n", $3, $4, $2, $1 - $2 + 1 }' \
    > "$work/long"
nfunc=$(cd "$src" && ctags -x --_xformat='%N' --kinds-C=f --language-force=C -L - < "$work/files" | wc -l)
if [ "$nfunc" -lt 500 ]; then
    echo "FAIL: ctags found only $nfunc functions; the length check is not seeing the sources"
    status=1
elif [ -s "$work/long" ]; then
    echo "FAIL: functions over $max_lines lines (split them along their seams):"
    cat "$work/long"
    status=1
else
    echo "ok: none of $nfunc functions is over $max_lines lines"
fi

# --------------------------------------------------------- 2. module cycles
graph() {   # graph NAME SRCDIR OBJDIR: OBJDIR holds the objects, laid out as the sources
    local name=$1 dir=$2 objdir=$3
    # Objects, not the archive: an archive names its members by base name
    # only, and serve/run.c and run/run.c are both "run.c.o" there.
    find "$objdir" -name '*.c.o' -print0 | xargs -0 nm -A | python3 -c '
import collections, os, re, sys
name, src, dir, objdir = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def module(obj):
    rel = os.path.relpath(obj, objdir)
    if not rel.endswith(".c.o"):
        return None
    path = os.path.join(dir, rel[:-4] + ".c")
    if not os.path.exists(os.path.join(src, path)):
        return None
    d, f = os.path.split(path[:-2])
    # A folder with a private header named after it (serve/serve_int.h) is
    # one module of several files.
    if os.path.exists(os.path.join(src, d, os.path.basename(d) + "_int.h")):
        return d
    if "_" in f and not os.path.exists(os.path.join(src, d, f + ".h")):
        stem = f.split("_")[0]
        for cand in (stem + ".c", stem + "_int.h", stem + "_internal.h"):
            if os.path.exists(os.path.join(src, d, cand)):
                return os.path.join(d, stem)
    return os.path.join(d, f)
defs, uses = {}, collections.defaultdict(set)
for line in sys.stdin:
    m = re.match(r"^(.+\.o):\s*(?:[0-9a-f]+\s+)?([A-Za-z])\s+(\S+)$", line.strip())
    if not m:
        continue
    mod = module(m.group(1))
    if mod is None:
        continue
    kind, sym = m.group(2), m.group(3)
    if kind == "U":
        uses[mod].add(sym)
    elif kind in "TDBRCVW":
        defs[sym] = mod
g = collections.defaultdict(set)
for mod, syms in uses.items():
    for s in syms:
        if s in defs and defs[s] != mod:
            g[mod].add(defs[s])
nodes = set(defs.values()) | set(g)
# Tarjan: strongly connected components with more than one module are cycles.
index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(100000)
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on.add(v)
    for w in sorted(g[v]):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            out.append(sorted(comp))
for v in sorted(nodes):
    if v not in index:
        visit(v)
edges = sum(len(x) for x in g.values())
if len(nodes) < 5 or edges < 5:
    print("FAIL: %s: only %d modules and %d edges found; the graph is not being read" % (name, len(nodes), edges))
    sys.exit(1)
if out:
    print("FAIL: %s: the module graph has %d cycle(s):" % (name, len(out)))
    for comp in out:
        print("  " + " <-> ".join(comp))
        for a in comp:
            print("    %s -> %s" % (a, " ".join(sorted(b for b in g[a] if b in comp))))
    sys.exit(1)
print("ok: %s: %d modules, %d edges, no cycle" % (name, len(nodes), edges))
' "$name" "$src" "$dir" "$objdir"
}
graph runtime runtime "$build/runtime/CMakeFiles/aslrt.dir" || status=1
graph compiler compiler "$objs" || status=1

# ------------------------------------------------------- 3. exported names
# (__odr_asan.* are AddressSanitizer's one-definition-rule markers, one per
# exported variable, present only in sanitized builds.)
nm -g --defined-only "$lib" | awk 'NF == 3 && $3 !~ /^asl_/ && $3 !~ /^__odr_asan\./ { print "  " $3 }' |
    sort -u > "$work/foreign"
nexp=$(nm -g --defined-only "$lib" | awk 'NF == 3' | wc -l)
if [ "$nexp" -lt 50 ]; then
    echo "FAIL: nm lists only $nexp exported symbols in $lib"
    status=1
elif [ -s "$work/foreign" ]; then
    echo "FAIL: libaslrt.a exports symbols without the asl_ prefix:"
    cat "$work/foreign"
    status=1
else
    echo "ok: all $nexp symbols libaslrt.a exports carry asl_"
fi

exit "$status"
