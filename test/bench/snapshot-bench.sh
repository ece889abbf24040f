#!/usr/bin/env bash
# snapshot-bench.sh: one RUN step that changes one file, on a base of 500 and of 50,000 files, for the
# overlay and native snapshotters (chroot runner): prepare, run, diff, commit, and the base's import.
# Goal: with overlay, the step on 50,000 files costs no more than 1.5x the step on 500.
#   SNAPSHOT_BENCH_ARGS="--sizes 500,50000 --runs 3 --only overlay,native"
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ "$(id -u)" != 0 ]; then echo "snapshot-bench: skipped, needs root (namespaces, overlay mounts)"; exit 0; fi
bbtar=$repo/test-artifacts/busybox-rootfs.tar
[ -f "$bbtar" ] || { mkdir -p "$(dirname "$bbtar")"; bash "$repo/scripts/make-busybox-rootfs.sh" "$bbtar"; }
# shellcheck disable=SC2086
BUSYBOX_TAR=$bbtar node "$repo/dist/test/bench/snapshot-bench.js" ${SNAPSHOT_BENCH_ARGS:-}
