#!/bin/sh
# Dies of a signal.
kill -SEGV $$
