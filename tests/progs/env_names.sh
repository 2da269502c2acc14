#!/bin/sh
# env_names.sh: the names of the environment variables this task program got,
# as a JSON array (tests/scripts/test_hardening.sh checks what reaches a task).
cat >/dev/null
env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/"\1"/p' | paste -sd, - | sed 's/^/[/; s/$/]/'
