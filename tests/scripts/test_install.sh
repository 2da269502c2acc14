#!/bin/bash
# `cmake --install`, then the prefix moved elsewhere: a consumer CMake
# project finds aslc with find_package(aslc CONFIG) and builds workflows with
# aslc_add_workflow (BIND with a relative program, STATIC), rebuilt when the
# definition changes; aslrt.pc links `aslc emit-c` output by hand; the
# README's links into docs/ and examples/ resolve in the installed tree; the
# man pages are installed and render.
#
#   test_install.sh ASLC WORKDIR      (ASLC: build/compiler/aslc of the tree under test)
set -u
ASLC=$1
WORK=$2
BUILD=$(cd "$(dirname "$ASLC")/.." && pwd)
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
cd "$WORK" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

cmake --install "$BUILD" --prefix "$WORK/prefix" > install.log 2>&1 || {
    cat install.log >&2
    exit 1
}
mv "$WORK/prefix" "$WORK/moved"
P=$WORK/moved
for f in bin/aslc lib/aslc/libaslrt.a include/aslc/aslrt.h lib/cmake/aslc/aslcConfig.cmake \
    lib/cmake/aslc/aslcConfigVersion.cmake lib/pkgconfig/aslrt.pc share/doc/aslc/README.md \
    share/doc/aslc/docs/static.md share/man/man1/aslc.1 share/man/man1/aslc-workflow.1; do
    [ -e "$P/$f" ] || fail "not installed: $f"
done
grep -rq "$WORK/prefix" "$P/lib/cmake" "$P/lib/pkgconfig" && fail "the installed package files name the install prefix"

# ---- every relative link in the installed README resolves
DOC=$P/share/doc/aslc
grep -o '](\([^)#]*\))' "$DOC/README.md" | sed 's/^](//; s/)$//' | grep -v '^[a-z]*://' | sort -u > links.txt
[ -s links.txt ] || fail "no links found in the installed README"
while read -r l; do
    [ -e "$DOC/$l" ] || fail "installed README links to $l, which is not installed"
done < links.txt

# ---- man pages render without warnings
for m in aslc aslc-workflow; do
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$P/share/man/man1/$m.1" 2>&1 > /dev/null)
    [ -z "$out" ] || fail "man $m: $out"
    LC_ALL=C.UTF-8 man -l "$P/share/man/man1/$m.1" 2> /dev/null | grep -q "SYNOPSIS" || fail "man $m does not render"
done

# ---- a consumer project
mkdir -p consumer/progs
cat > consumer/CMakeLists.txt << 'EOF'
cmake_minimum_required(VERSION 3.18)
project(consumer LANGUAGES NONE)
find_package(aslc 0.1 CONFIG REQUIRED)
aslc_add_workflow(greet greet.asl.json
  BIND "arn:aws:states:::lambda:invoke=progs/shout.sh")
aslc_add_workflow(greet-static greet.asl.json OUTPUT greet-s STATIC
  BIND "arn:aws:states:::lambda:invoke=progs/shout.sh")
get_target_property(bin greet ASLC_BINARY)
message(STATUS "greet binary: ${bin}")
EOF
cat > consumer/greet.asl.json << 'EOF'
{"StartAt": "Shout", "States": {
  "Shout": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "shout", "Payload": {"who.$": "$.who"}},
            "End": true}}}
EOF
cat > consumer/progs/shout.sh << 'EOF'
#!/bin/sh
# The Lambda stand-in: {"who": X} on stdin -> {"greeting": "HELLO X"}
read -r line
who=$(printf '%s' "$line" | sed 's/.*"who": *"\([^"]*\)".*/\1/')
printf '{"greeting": "HELLO %s"}\n' "$who"
EOF
chmod +x consumer/progs/shout.sh
cmake -S consumer -B consumer/build -DCMAKE_PREFIX_PATH="$P" > configure.log 2>&1 ||
    fail "consumer configure: $(cat configure.log)"
grep -q "greet binary: $WORK/consumer/build/bin/greet" configure.log || fail "ASLC_BINARY property: $(cat configure.log)"
cmake --build consumer/build > build.log 2>&1 || fail "consumer build: $(cat build.log)"
# Run from another folder: the relative BIND program was baked in as an absolute path.
out=$(cd / && "$WORK/consumer/build/bin/greet" --input-json '{"who": "ada"}' 2> "$WORK/err.txt")
[ "$out" = '{"greeting":"HELLO ada"}' ] || fail "consumer greet (run from /): $out $(cat err.txt)"
readelf -l consumer/build/bin/greet-s | grep -q INTERP && fail "STATIC gave a dynamic binary"
out=$(consumer/build/bin/greet-s --input-json '{"who": "bob"}' 2> err.txt)
[ "$out" = '{"greeting":"HELLO bob"}' ] || fail "consumer greet-s: $out $(cat err.txt)"
# Up to date: nothing rebuilt.  A changed definition: rebuilt.
cmake --build consumer/build > build2.log 2>&1
grep -q "aslc: compiling" build2.log && fail "an up-to-date workflow was rebuilt"
sleep 1
sed -i 's/"End": true}}}/"OutputPath": "$.greeting", "End": true}}}/' consumer/greet.asl.json
cmake --build consumer/build > build3.log 2>&1 || fail "rebuild: $(cat build3.log)"
grep -q "aslc: compiling greet.asl.json" build3.log || fail "a changed definition did not rebuild: $(cat build3.log)"
out=$(consumer/build/bin/greet --input-json '{"who": "cy"}' 2> err.txt)
[ "$out" = '"HELLO cy"' ] || fail "rebuilt greet: $out $(cat err.txt)"

# ---- pkg-config: generated C linked by hand
cat > pass.json << 'EOF'
{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "by hand", "End": true}}}
EOF
"$P/bin/aslc" emit-c pass.json > pass.c || fail "installed aslc emit-c"
flags=$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs aslrt) || fail "pkg-config aslrt"
case "$flags" in *"$P/"*) ;; *) fail "pkg-config does not point into the moved prefix: $flags" ;; esac
# shellcheck disable=SC2086  # flags are words
cc -std=c11 -w pass.c $flags -o pass 2> err.txt || fail "link with pkg-config flags: $(cat err.txt)"
[ "$(./pass 2> /dev/null)" = '"by hand"' ] || fail "hand-linked binary"

if [ "$fails" -gt 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "test_install: all passed"
