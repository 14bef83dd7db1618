#!/usr/bin/env bash
# Installs whatever crmsync needs to build, run and test on Debian 12. Idempotent: packages already present
# are left alone and apt is not touched at all when nothing is missing. Must run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates openssl
  libboost-dev libboost-filesystem-dev
  libyaml-cpp-dev libcurl4-openssl-dev
  libsoci-dev libpq-dev libsqlite3-dev sqlite3
  nlohmann-json3-dev libgtest-dev libgmock-dev
  libicu-dev libphonenumber-dev libprotobuf-dev libre2-dev libminizip-dev zlib1g-dev libpugixml-dev
  libcli11-dev libspdlog-dev libfmt-dev libcpp-httplib-dev libxxhash-dev
  libgmime-3.0-dev libxml2-dev dovecot-imapd
  postgresql python3 python3-openpyxl python3-yaml python3-jsonschema
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
