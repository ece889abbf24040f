#!/usr/bin/env bash
# npm run demo: the main job end to end on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
npm run build --silent
echo "strata demo: nothing to demo yet"
