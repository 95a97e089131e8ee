#!/usr/bin/env bash
# The reference host's demo: walks the "Patient Portal My Messages" help text as an admin, a
# clinician and a portal user would, on the sample practice, in a fresh temporary data directory.
# Usage: samples/demo.sh BUILD_DIR   (scripts/demo builds and calls it)
set -euo pipefail

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: samples/demo.sh BUILD_DIR" >&2
  exit 2
fi
build="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
host_bin="$build/samples/ehr-host"
[ -x "$host_bin" ] || { echo "demo: $host_bin is missing; build first (scripts/demo does)" >&2; exit 1; }

data="$(mktemp -d "${TMPDIR:-/tmp}/ehr-host-demo.XXXXXX")"
trap 'rm -rf "$data"' EXIT
export EHR_HOST_DATA="$data"
export EHR_HOST_PLUGINS="$build/plugins"
export EHR_HOST_PRACTICE="$here/practice/clinic-network.xml"

bold=""; plain=""
if [ -t 1 ]; then bold="$(printf '\033[1m')"; plain="$(printf '\033[0m')"; fi

chapter() { printf '\n%s=== %s ===%s\n' "$bold" "$*" "$plain"; }
say() { printf '\n# %s\n' "$*"; }
# Runs ehr-host and shows the command; the demo stops if it fails.
host() {
  printf '%s$ ehr-host %s%s\n' "$bold" "$*" "$plain"
  "$host_bin" "$@"
}
# Runs ehr-host expecting a refusal: shows the reason it gives, and stops the demo if it succeeds.
refused() {
  printf '%s$ ehr-host %s%s\n' "$bold" "$*" "$plain"
  local status=0
  "$host_bin" "$@" 2>"$data/refusal.txt" || status=$?
  if [ "$status" -eq 0 ]; then
    echo "demo: expected a refusal, but it succeeded" >&2
    exit 1
  fi
  sed 's/^/  refused (exit '"$status"'): /' "$data/refusal.txt"
}
# Writes a message body on stdin, as a person typing a longer message would.
host_stdin() {
  local body="$1"
  shift
  printf '%s$ ehr-host %s <<< "%s"%s\n' "$bold" "$*" "$body" "$plain"
  printf '%s' "$body" | "$host_bin" "$@"
}

echo "Reference host demo: Riverbend Health Network (a master instance with three locations),"
echo "data directory $data (deleted at the end)."

chapter "The plugin manager"
say "The host finds plugins by their manifests; a new plugin waits for an admin to enable it."
host plugins list
host plugins verify portal-messaging
host plugins enable portal-messaging
