#!/usr/bin/env bash
# Back the queue's database up to DIR/antrian-YYYY-MM-DD.db (SQLite online backup, safe while the
# server runs), then keep the newest KEEP_DAYS such files in DIR and delete older ones.
# Run daily by antrian-backup.timer as the antrian user; by hand:
#   runuser -u antrian -- env KIOSK_CONFIG=/etc/antrian/config.toml /opt/antrian/deploy/backup.sh /var/backups/antrian
# Environment: KEEP_DAYS (30); KIOSK_CONFIG (the server's config); ANTRIAN_HOME (/opt/antrian);
# PYTHON (ANTRIAN_HOME/.venv/bin/python); BACKUP_DATE (today, YYYY-MM-DD: the new file's name).
# Nothing is ever deleted but files named antrian-YYYY-MM-DD.db and this script's own scratch
# file .antrian-YYYY-MM-DD.db.partial; a second run on one day keeps the day's first copy.
set -euo pipefail
umask 027  # the copies hold password hashes and sessions: not for other users of the PC

dir=${1:?usage: backup.sh DIR}
keep=${KEEP_DAYS:-30}
home=${ANTRIAN_HOME:-/opt/antrian}
python=${PYTHON:-$home/.venv/bin/python}
day=${BACKUP_DATE:-$(date +%F)}

[[ $keep =~ ^[1-9][0-9]*$ ]] || { echo "backup.sh: KEEP_DAYS must be 1 or more, not '$keep'" >&2; exit 2; }
[[ $day =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "backup.sh: BACKUP_DATE must be YYYY-MM-DD" >&2; exit 2; }
[[ -d $dir ]] || { echo "backup.sh: $dir is not a directory" >&2; exit 2; }

target="$dir/antrian-$day.db"
if [[ -e $target ]]; then
  echo "backup.sh: $target exists; kept as it is"
else
  # Copy to a name the rotation never matches, check it, then give it its name: a copy cut
  # short (a full disk, a power cut) never passes for a backup.
  partial="$dir/.antrian-$day.db.partial"
  rm -f -- "$partial"
  (cd "$home" && "$python" -m flask --app server backup "$partial")
  "$python" - "$partial" <<'PY'
import sqlite3, sys
# One self-contained file (no -wal beside it), checked page by page.
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=DELETE")
result = db.execute("PRAGMA integrity_check").fetchone()[0]
db.close()
if result != "ok":
    sys.exit(f"backup.sh: {sys.argv[1]} fails SQLite's integrity check: {result}")
PY
  mv -- "$partial" "$target"
  echo "backup.sh: wrote $target"
fi

# The newest KEEP_DAYS backups stay (their names sort by date): a PC that was off for weeks
# still keeps that many, however old. Only regular files named like a backup are counted.
shopt -s nullglob
backups=()
for path in "$dir"/antrian-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].db; do
  if [[ -f $path && ! -L $path && ${path##*/} =~ ^antrian-[0-9]{4}-[0-9]{2}-[0-9]{2}\.db$ ]]; then
    backups+=("$path")
  fi
done
for (( i = 0; i < ${#backups[@]} - keep; i++ )); do
  rm -f -- "${backups[i]}"
  echo "backup.sh: deleted ${backups[i]##*/}"
done
