#!/bin/sh
# The "function": answers {"got": <its event>}.
printf '{"got":'
cat
printf '}'
