#!/usr/bin/env bash
# Renders an rlhf HTML report with headless Chromium and saves a full-page PNG, so a person can check
# that the charts are readable.
#
#   scripts/screenshot-report.sh [HTML] [PNG]      screenshot HTML (default reports/default/index.html)
#   scripts/screenshot-report.sh --fixture [PNG]   render the test fixture report first (swift test), then shoot it
#
# Needs the Debian package `chromium` (apt-get install -y chromium). HEIGHT=… overrides the page height in px.
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

# Page height: about 330 px per chart or table block, at least one screen.
blocks=$(grep -o -E '<(figure|table|h2)' "$html" | wc -l)
height="${HEIGHT:-$(( blocks * 230 + 1200 ))}"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="1400,${height}" --screenshot="$png" "file://$(realpath "$html")" 2>/dev/null
echo "wrote $png (1400×${height})"
