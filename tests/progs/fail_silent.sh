#!/bin/sh
# Fails with no output anywhere.
exit 7
