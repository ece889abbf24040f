#!/usr/bin/env bash
# npm run demo: the main job end to end on a fresh machine. Each step is a function: parse the
# examples, bootstrap a base image, build an example twice (all cached the second time), edit one
# file and see the one explained miss (predicted first by `strata plan`), write a layer report.
# The store is ./.strata-demo (STRATA_DEMO_ROOT to change); the repository's files are never edited.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
# build strata unless dist is newer than every source (tsc takes a while on a busy machine)
if [ ! -f dist/strata ] || [ -n "$(find src runners grammar scripts package.json tsconfig*.json -newer dist/strata -print -quit 2>/dev/null)" ]; then
  echo "== building strata"
  npm run build --silent
fi

ROOT="${STRATA_DEMO_ROOT:-$PWD/.strata-demo}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/strata-demo-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
strata() { dist/strata --root "$ROOT" "$@"; }
fail() { echo "demo: $*" >&2; exit 1; }

# Step 1: read every example Dockerfile as a build would, one summary line each.
parse_examples() {
  echo "== parsing examples/*/Dockerfile"
  for f in examples/*/Dockerfile; do
    strata parse --short -f "$f"
  done
}

# Step 2: a base image to build on: busybox from Debian's busybox-static, imported once.
bootstrap_base() {
  echo "== base image busybox:latest in $ROOT"
  if [ -n "$(strata images -q busybox:latest 2>/dev/null)" ]; then
    echo "already there"
    return
  fi
  bash scripts/make-busybox-rootfs.sh "$WORK/busybox-rootfs.tar"
  strata import "$WORK/busybox-rootfs.tar" busybox:latest
}

# build_example LOG: builds the temp copy of examples/busybox-app as demo-app:latest, plain progress.
build_example() {
  strata build --progress=plain -t demo-app:latest "$WORK/app" 2>&1 | tee "$1"
}

# Step 3: build twice; the second build must reuse every step.
build_twice() {
  cp -r examples/busybox-app "$WORK/app"
  echo "== first build of examples/busybox-app (a copy in $WORK/app)"
  build_example "$WORK/build1.log"
  echo "== second build: every step CACHED"
  build_example "$WORK/build2.log"
  grep -q 'rebuilt ' "$WORK/build2.log" && fail "the second build rebuilt a step"
  grep -Eq '=> built ([0-9]+) steps \(([0-9]+) cached\)' "$WORK/build2.log" || fail "no build summary"
  local steps cached
  steps=$(sed -nE 's/.*=> built ([0-9]+) steps \(([0-9]+) cached\).*/\1/p' "$WORK/build2.log")
  cached=$(sed -nE 's/.*=> built ([0-9]+) steps \(([0-9]+) cached\).*/\2/p' "$WORK/build2.log")
  # the FROM step is the base, neither cached nor built
  [ "$cached" -eq $((steps - 1)) ] || fail "second build: $cached of $steps steps cached"
}

# Step 4: edit one file of the copy; `strata plan` predicts the one miss, the build explains it.
edit_and_rebuild() {
  echo "# edited by the demo at $(date -u +%FT%T.%N)" >> "$WORK/app/app.sh"
  echo "== edited app.sh; strata plan predicts:"
  strata plan "$WORK/app"
  echo "== third build: one miss, explained"
  build_example "$WORK/build3.log"
  [ "$(grep -c '^   rebuilt ' "$WORK/build3.log")" -eq 1 ] || fail "the third build should rebuild exactly one step"
  grep -q 'rebuilt .*COPY app.sh ./: 1 file changed (app.sh)' "$WORK/build3.log" || fail "the miss is not explained by app.sh"
}

# Step 5: the layer report as one offline HTML page, and the build report in text.
reports() {
  local html="$ROOT/demo-app-layers.html"
  strata report layers demo-app:latest -o "$html"
  echo "== layer report: $html"
  echo "== build report of the last build"
  strata report build last
}

# Step 6: run the image, when this strata has `run`.
run_image() {
  if strata --help | grep -qE '^  run '; then
    echo "== strata run --rm demo-app:latest"
    strata run --rm demo-app:latest
  else
    echo "== (skipped: this strata has no \`run\` command yet)"
  fi
}

parse_examples
bootstrap_base
build_twice
edit_and_rebuild
reports
run_image
echo "== demo done"
