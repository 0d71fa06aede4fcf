#!/usr/bin/env bash
# Renders a report.html in headless Chromium to a PNG, to check the report
# as a browser shows it (Debian: apt-get install -y chromium).
#
#   scripts/screenshot-report.sh RESULTS_DIR_OR_REPORT_HTML [OUT.png] [WIDTHxHEIGHT]
#
# Chromium runs without network services, sync or a persistent profile; the
# report itself references nothing outside the file.
set -euo pipefail
target="${1:?usage: $0 RESULTS_DIR_OR_REPORT_HTML [OUT.png] [WIDTHxHEIGHT]}"
out="${2:-shot.png}"
size="${3:-1400x2000}"
if [ -d "$target" ]; then
  target="$target/report.html"
fi
[ -f "$target" ] || { echo "error: no report at $target (run lsmlab report first)" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[ -n "$browser" ] || { echo "error: chromium not found (apt-get install -y chromium)" >&2; exit 2; }
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
abs="$(cd "$(dirname "$target")" && pwd)/$(basename "$target")"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --screenshot="$out_abs" --window-size="${size/x/,}" "file://$abs" \
  >/dev/null 2>&1
[ -s "$out_abs" ] || { echo "error: chromium wrote no screenshot" >&2; exit 1; }
echo "screenshot: $out_abs"
