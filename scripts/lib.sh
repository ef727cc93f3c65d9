# Shared by scripts/run and scripts/test: install the Debian packages that are missing.
# shellcheck shell=bash

BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libsodium-dev libtomlplusplus-dev libkainjow-mustache-dev libicu-dev
  libgmime-3.0-dev libcurl4-openssl-dev libical-dev libxlsxwriter-dev libqrencode-dev
  libmagic-dev libzip-dev libexpat1-dev libpng-dev libarchive-dev
)
TEST_PACKAGES=(
  catch2 python3 python3-aiosmtpd chromium poppler-utils
)

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

install_packages() {
  local missing
  missing=$(missing_packages "$@")
  [ -z "$missing" ] && return 0
  echo "installing: $(echo $missing | tr '\n' ' ')" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# Node may come from elsewhere than Debian (the machine image has its own): install
# Debian's only when there is none at all.
install_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
  install_packages nodejs npm
}
