#!/bin/sh
# Reads all of its input and answers with the number of bytes read.
wc -c | tr -d ' '
