#!/bin/sh
# Exits 0 but writes text that is not JSON.
echo 'hello, world'
