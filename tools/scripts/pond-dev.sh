#!/bin/sh
# Set-up and entry point for the README's commands: installs, builds (the native
# addon included) and then runs the demo or every check.
set -eu
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1

if pnpm --version 2>/dev/null | grep -q '^12\.'; then
  pnpm() { command pnpm "$@"; }
else
  pnpm() { npx --yes pnpm@12.4.2 "$@"; }
fi

pnpm install --frozen-lockfile
case "${1:-}" in
  test)
    pnpm exec biome ci .
    pnpm exec turbo run build typecheck test --output-logs=errors-only
    ;;
  demo)
    shift
    pnpm exec turbo run build --filter=@pond/cli... --output-logs=errors-only
    node packages/cli/dist/bin.js demo "$@"
    ;;
  *)
    echo "usage: $0 test|demo [DIR]" >&2
    exit 2
    ;;
esac
