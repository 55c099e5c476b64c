#!/bin/sh
# Set-up and entry point for the README's commands: installs, builds (the native addon first, so
# that cargo's progress shows) and then runs the demo or every check.
set -eu
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1

if pnpm --version 2>/dev/null | grep -q '^12\.'; then
  pnpm() { command pnpm "$@"; }
else
  pnpm() { npx --yes pnpm@12.4.2 "$@"; }
fi

# It says how long it takes: about 15 minutes on 2 cores the first time, seconds afterwards.
build_native() {
  pnpm --silent --filter @pond/persistence-oplog run build:native
}

pnpm install --frozen-lockfile
case "${1:-}" in
  test)
    pnpm exec biome ci .
    build_native
    # Every package's tests run even when another's fail; the summary counts them all.
    rm -rf .turbo/runs
    status=0
    pnpm exec turbo run build typecheck test --output-logs=errors-only \
      --continue=dependencies-successful --summarize || status=$?
    node tools/scripts/test-summary.mjs .turbo/runs/*.json
    exit "$status"
    ;;
  demo)
    shift
    build_native
    pnpm exec turbo run build --filter=@pond/cli... --output-logs=errors-only
    node packages/cli/dist/bin.js demo "$@"
    ;;
  *)
    echo "usage: $0 test|demo [DIR]" >&2
    exit 2
    ;;
esac
