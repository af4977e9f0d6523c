#!/usr/bin/env bash
# Installs what kzreg needs from Debian and starts the local services its tests use.
#   --runtime  only what serving needs (fonts and Pango for PDF documents)
# Idempotent: installs nothing that is already there.
set -euo pipefail
runtime_pkgs=(fonts-dejavu-core fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0)
test_pkgs=(chromium poppler-utils)   # poppler-utils: pdftotext/pdffonts check documents

missing=()
want=("${runtime_pkgs[@]}")
[[ "${1:-}" == "--runtime" ]] || want+=("${test_pkgs[@]}")
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  echo "setup-system: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[[ "${1:-}" == "--runtime" ]] && exit 0

# PostgreSQL for the integration tests: start it when it is installed but stopped.
if command -v pg_ctlcluster >/dev/null && ! pg_isready -q -h 127.0.0.1 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
exit 0
