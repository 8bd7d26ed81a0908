#!/usr/bin/env bash
# Renders an rlhf HTML report with headless Chromium and saves a full-page PNG, so a person can check
# that the charts are readable.
#
#   scripts/screenshot-report.sh [HTML] [PNG]      screenshot HTML (default reports/default/index.html)
#   scripts/screenshot-report.sh --fixture [PNG]   render the test fixture report first (swift test), then shoot it
#
# Needs the Debian package `chromium` (apt-get install -y chromium). The page height is measured in the
# browser at the same width (HEIGHT=… overrides it), so the shot holds the whole page.
set -euo pipefail

if [[ "${1:-}" == "--fixture" ]]; then
    shift
    dir="${TMPDIR:-/tmp}/rlhf-report-fixture"
    (cd "$(dirname "$0")/.." && RLHF_REPORT_FIXTURE_DIR="$dir" swift test --filter 'ReportPipelineTests|ReportDocumentTests' >/dev/null)
    html="$dir/index.html"
else
    html="${1:-reports/default/index.html}"
    shift || true
fi
png="${1:-${html%.html}.png}"
[[ -f "$html" ]] || { echo "no report at $html; run \`rlhf report\` first (or pass --fixture)" >&2; exit 1; }
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[[ -n "$browser" ]] || { echo "chromium not found; install it with: apt-get install -y chromium" >&2; exit 1; }

width=1400
# Measure the page: a copy of the report writes its laid-out height (after fonts and SVG) into the
# title, which --dump-dom prints; the screenshot then uses exactly that height.
measure="$(mktemp --suffix=.html -p "$(dirname "$(realpath "$html")")")"
trap 'rm -f "$measure"' EXIT
sed 's#</body>#<script>document.title = "rlhf-page-height:" + Math.ceil(Math.max(document.documentElement.scrollHeight, document.body.scrollHeight));</script></body>#' \
    "$html" > "$measure"
measured="$("$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="${width},1000" --virtual-time-budget=5000 --dump-dom "file://$measure" 2>/dev/null \
    | grep -o 'rlhf-page-height:[0-9]*' | head -1 | cut -d: -f2 || true)"
[[ -n "${HEIGHT:-}${measured}" ]] || { echo "could not measure the page height; pass HEIGHT=…" >&2; exit 1; }
height="${HEIGHT:-$measured}"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="${width},${height}" --screenshot="$png" "file://$(realpath "$html")" 2>/dev/null
echo "wrote $png (${width}×${height})"
