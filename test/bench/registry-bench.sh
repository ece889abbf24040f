#!/usr/bin/env bash
# registry-bench.sh: strata push/pull vs skopeo copy of a ~10-layer ~200 MB image against a local
# docker-registry (see registry-bench.ts). Builds first; never part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run build >/dev/null
node dist/test/bench/registry-bench.js
