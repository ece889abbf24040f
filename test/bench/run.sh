#!/usr/bin/env bash
# npm run bench: runs every test/bench/*-bench.sh in turn (each prints its own table).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/../.." && npm run build >/dev/null || exit 1
status=0
for b in "$here"/*-bench.sh; do
  [ -e "$b" ] || continue
  echo "== $(basename "$b")"
  bash "$b" || status=1
done
exit $status
