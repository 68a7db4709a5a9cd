#!/usr/bin/env bash
# Install or update the Antrian server on Debian 12, as root, from this checkout:
#   sudo ./deploy/install.sh
# The user antrian; the code in /opt/antrian with its .venv; /etc/antrian/config.toml (made once
# from config.toml, the database in /var/lib/antrian; never overwritten); backups in
# /var/backups/antrian; the units, the timer and the printer rule; the server (re)started.
# Safe to run again, e.g. after `git pull`. TLS and the kiosk PCs: docs/deploy.md.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
app=/opt/antrian
etc=/etc/antrian
[[ $(id -u) -eq 0 ]] || { echo "install.sh: run as root (sudo $0)" >&2; exit 1; }

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv libusb-1.0-0 >/dev/null

id -u antrian >/dev/null 2>&1 ||
  useradd --system --user-group --home-dir /var/lib/antrian --no-create-home \
          --shell /usr/sbin/nologin antrian

# The code belongs to root; the service may only read it.
install -d -m 0755 "$app"
if [[ $src != "$app" ]]; then
  tar -C "$src" --exclude=./.git --exclude=./.venv --exclude=./instance --exclude='__pycache__' -cf - . |
    tar -C "$app" --no-same-owner -xf -
fi
# Debian's own python3, not one on root's PATH that the antrian user may not reach.
[[ -x $app/.venv/bin/python ]] || /usr/bin/python3 -m venv "$app/.venv"
"$app/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$app/requirements.txt"
"$app/.venv/bin/python" -m compileall -q "$app" -x '/\.venv/' >/dev/null || true

install -d -m 0750 -o antrian -g antrian /var/lib/antrian /var/backups/antrian
install -d -m 0750 -o root -g antrian "$etc" "$etc/tls"
if [[ ! -e $etc/config.toml ]]; then
  sed 's|^database = "instance/antrian.db".*|database = "/var/lib/antrian/antrian.db"   # the service'"'"'s StateDirectory|' \
    "$src/config.toml" \
    > "$etc/config.toml.new"
  grep -q '^database = "/var/lib/antrian/antrian.db"' "$etc/config.toml.new" ||
    { echo "install.sh: could not set [server] database in $etc/config.toml.new" >&2; exit 1; }
  chown root:antrian "$etc/config.toml.new" && chmod 0640 "$etc/config.toml.new"
  mv "$etc/config.toml.new" "$etc/config.toml"
  echo "install.sh: wrote $etc/config.toml: edit it for this office"
fi
# A config that does not load stops here, with the key it names, not in a restart loop.
(cd "$app" && .venv/bin/python -c 'import sys; from queueing import config; config.load(sys.argv[1])' \
  "$etc/config.toml")

install -m 0644 -t /etc/systemd/system \
  "$src/deploy/antrian.service" "$src/deploy/antrian-backup.service" "$src/deploy/antrian-backup.timer"
install -m 0644 -t /etc/udev/rules.d "$src/deploy/60-antrian-printer.rules"
udevadm control --reload && udevadm trigger --subsystem-match=usb || true

systemctl daemon-reload
systemctl enable antrian.service antrian-backup.timer
systemctl restart antrian.service
systemctl start antrian-backup.timer
echo "install.sh: done. Status: systemctl status antrian; logs: journalctl -u antrian"
