#!/usr/bin/env bash
# npm run demo: the main job end to end on a fresh machine. Each step is a function; later
# issues add steps (bootstrap a base image, build an example, show cache hits, a layer report).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
npm run build --silent

strata() { node dist/src/cli/main.js "$@"; }

# Step 1: read every example Dockerfile as a build would, one summary line each.
parse_examples() {
  echo "== parsing examples/*/Dockerfile"
  for f in examples/*/Dockerfile; do
    strata parse --short -f "$f"
  done
}

parse_examples
