#!/usr/bin/env bash
# build-bench.sh: cold and fully cached builds of the shared workloads w1 (scratch + COPY) and w4
# (20,000 files, ~300 MB context, with its RUN) with strata, and side by side with `docker build`
# (BuildKit) when a Docker daemon answers. Prints seconds and strata/docker ratios.
#
#   WORKLOADS="w1-scratch-copy ..."              which workloads (default all five; w5 needs setup.sh's Debian rootfs)
#   BENCH_DIR=/var/lib/strata-bench-build         contexts and stores (kept between runs: w4 takes a while to generate);
#                                                 /tmp/strata-bench-build when /var/lib is not writable
#
# Why /var/lib: that is where both stores live by default (strata's /var/lib/strata as root, Docker's
# /var/lib/docker). /tmp is where the test suite makes and deletes hundreds of thousands of files, and
# ext4 then skips the recently deleted inodes of those block groups one by one: creating 20,000 empty
# files took 8.4 s in a new folder under /tmp against 0.76 s under /var/lib on the same filesystem,
# which doubled w5's cold build (its RUN makes 30,000 files) against a Docker unaffected by it.
#   DOCKER=/usr/bin/docker                        the docker client
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
shared=${STRATA_SHARED_DIR:-$repo/../shared}
workloads=${WORKLOADS:-"w1-scratch-copy w2-run-chain w3-multistage w4-big-context w5-many-files-run"}
default_dir=/var/lib/strata-bench-build
[ -w /var/lib ] || default_dir=/tmp/strata-bench-build
dir=${BENCH_DIR:-$default_dir}
docker=${DOCKER:-/usr/bin/docker}
strata=("$repo/dist/strata")
mkdir -p "$dir"

now() { date +%s.%N; }
timed() { local t0 t1; t0=$(now); "$@" >"$dir/last.log" 2>&1 || { echo "FAILED: $*" >&2; tail -5 "$dir/last.log" >&2; echo "nan"; return 1; }; t1=$(now); awk -v a="$t1" -v b="$t0" 'BEGIN{printf "%.2f", a-b}'; }
ratio() { if [ "$2" = "-" ] || [ "$1" = "nan" ]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; fi; }

bbtar=$repo/test-artifacts/busybox-rootfs.tar
debtar=${STRATA_BENCH_CACHE:-/var/cache/strata-bench}/rootfs/debian-bookworm-minbase-rootfs.tar
[ -f "$bbtar" ] || { mkdir -p "$(dirname "$bbtar")"; bash "$repo/scripts/make-busybox-rootfs.sh" "$bbtar"; }

have_docker=0
if [ -x "$docker" ] && "$docker" info >/dev/null 2>&1; then have_docker=1; fi
[ $have_docker = 1 ] || echo "(no Docker daemon: strata figures only; ../shared/bench/setup.sh starts one)"

printf '%-18s %-7s %10s %10s %8s\n' workload mode strata docker ratio
old_stores=()
for w in $workloads; do
  src=$shared/bench/workloads/$w
  ctx=$dir/ctx-$w
  if [ ! -f "$ctx/.ready" ]; then
    rm -rf "$ctx" && cp -r "$src" "$ctx" && chmod -R u+w "$ctx"
    [ -x "$ctx/make-context.sh" ] && bash "$ctx/make-context.sh" "$ctx" >/dev/null 2>&1
    touch "$ctx/.ready"
  fi
  # cold: a store with only the base image; the build cache and snapshots start empty. Each run gets a
  # new store folder and the old ones are deleted only after the timings: on ext4, creating files right
  # after tens of thousands were deleted nearby makes every inode allocation scan past the "recently
  # deleted" inodes (find_inode_bit/recently_deleted in perf), which tripled w5's RUN step when the
  # store was rm -rf'd and recreated in place. docker's cold build starts after `builder prune`.
  # The kernel does that check only on a filesystem without a journal (as this machine's root is), for
  # inodes freed in the last minute (five while their inode table block is dirty): a bench started
  # within minutes of deleting stores here times strata's RUN steps against it (2,000 files took 1.4 s
  # to create instead of 0.1 s; w3's docs RUN spent 0.8 s of system time instead of 0.2). Leave a few
  # minutes between deleting stores under $dir and a run.
  root=$dir/store-$w-$(date +%s%N)
  old_stores+=("$dir"/store-"$w"*)
  "${strata[@]}" --root "$root" import "$bbtar" busybox:latest >/dev/null
  if grep -q 'debian:' "$ctx/Dockerfile"; then
    # the same Debian base docker has, from ../shared/bench/setup.sh's cache
    [ -f "$debtar" ] || { echo "$w: skipped, no $debtar (run ../shared/bench/setup.sh)"; continue; }
    "${strata[@]}" --root "$root" import "$debtar" debian:bookworm >/dev/null
  fi
  sync
  s_cold=$(timed "${strata[@]}" --root "$root" build --progress plain --build-arg BASE_PREFIX= -t "bench-$w" "$ctx")
  s_warm=$(timed "${strata[@]}" --root "$root" build --progress plain --build-arg BASE_PREFIX= -t "bench-$w" "$ctx")
  d_cold=- d_warm=-
  if [ $have_docker = 1 ]; then
    "$docker" builder prune -af >/dev/null 2>&1
    sync
    d_cold=$(DOCKER_BUILDKIT=1 timed "$docker" build --network host --progress plain -t "strata-bench/docker:$w" "$ctx")
    d_warm=$(DOCKER_BUILDKIT=1 timed "$docker" build --network host --progress plain -t "strata-bench/docker:$w" "$ctx")
  fi
  printf '%-18s %-7s %10s %10s %8s\n' "$w" cold "$s_cold" "$d_cold" "$(ratio "$s_cold" "$d_cold")"
  printf '%-18s %-7s %10s %10s %8s\n' "$w" cached "$s_warm" "$d_warm" "$(ratio "$s_warm" "$d_warm")"
done
# stores of earlier runs (see above), now that nothing is being timed
for s in "${old_stores[@]}"; do [ -e "$s" ] && rm -rf "$s"; done
