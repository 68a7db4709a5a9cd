# Shared install steps, sourced by serve.sh and test.sh. Safe to run again.

apt_install() {
  # Debian packages, installed only when missing; needs root (as on the office PC set-up and CI).
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Please install: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

setup_runtime() {
  command -v dpkg >/dev/null && apt_install libusb-1.0-0 || true  # USB thermal printers
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
}

setup_tests() {
  # Playwright drives Debian's chromium: its own browser download cannot work here.
  apt_install chromium fonts-noto-core redis-server nginx-light systemd udev desktop-file-utils curl openssl  # redis: several server processes; the rest: tests/test_deploy.py
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
}
