#!/usr/bin/env bash
# The documented install path, end to end: `cmake --install` the build tree into a scratch prefix,
# `pip install` this package into a fresh virtual environment (offline: --no-index, Debian's
# setuptools through --system-site-packages), then run the whole pytest suite from outside the
# source tree against the installed package, library and plugin.
# Usage: check_installed.sh BUILD_DIR WORK_DIR
set -euo pipefail
build="$1"
work="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --no-build-isolation --no-index --no-deps "$here"
library="$(ls "$work"/prefix/lib*/libehr_host.so)"
plugins="$(ls -d "$work"/prefix/lib*/ehr/plugins)"
cp -r "$here/tests" "$work/tests"  # outside the source tree: imports resolve to the installed package
cd "$work"
EHR_HOST_LIBRARY="$library" EHR_PLUGINS_DIR="$plugins" \
  "$work/venv/bin/python" -c 'import ehr_host, sys; sys.exit(0 if "venv" in ehr_host.__file__ else 1)'
EHR_HOST_LIBRARY="$library" EHR_PLUGINS_DIR="$plugins" \
  "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$work/tests"
