#!/bin/sh
# Headless Chromium for the report's browser test (Tests/FrameCutReportTests/ReportBrowserTests).
# Debian 12's `chromium` package; retried while another apt/dpkg holds the lock.
set -eu
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if $SUDO apt-get install -y --no-install-recommends chromium; then
        exit 0
    fi
    echo "setup_browser.sh: apt-get failed (attempt $attempt), retrying in 15 s" >&2
    sleep 15
    $SUDO apt-get update || true
done
echo "setup_browser.sh: could not install chromium" >&2
exit 1
