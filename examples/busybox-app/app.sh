#!/bin/sh
cat /app/greeting.txt
echo "working directory: $(pwd)"
