#!/usr/bin/env bash
# A kiosk or hall display PC: wait until the Antrian server answers, then show URL full screen in
# Chromium, in a profile kept across restarts (the kiosk's enrollment cookie lives in it).
#   screen.sh https://antrian.kantor/display        # the hall display
#   screen.sh https://antrian.kantor/kiosk/lobby    # a kiosk (enrolled once: docs/deploy.md)
# antrian-screen.service runs it and starts it again whenever Chromium ends.
# Environment: CHROMIUM (chromium); ANTRIAN_PROFILE (~/.local/share/antrian-screen).
set -euo pipefail

url=${1:?usage: screen.sh URL, e.g. https://antrian.kantor/display}
[[ $url =~ ^(https?://[^/?#]+) ]] || { echo "screen.sh: '$url' is not an http(s) address" >&2; exit 2; }
origin=${BASH_REMATCH[1]}
browser=${CHROMIUM:-chromium}
profile=${ANTRIAN_PROFILE:-${XDG_DATA_HOME:-$HOME/.local/share}/antrian-screen}

# A page that never loaded does not retry by itself: open it only once the server answers.
# (--insecure: this only asks whether the server is up; Chromium checks the certificate.)
echo "screen.sh: waiting for $origin/healthz"
until curl --silent --fail --insecure --max-time 5 --output /dev/null "$origin/healthz"; do
  sleep 2
done

mkdir -p "$profile"
# --autoplay-policy: the hall display speaks without a first tap. --password-store=basic: no
# keyring prompt on an auto-login desktop. A fixed --user-data-dir, never --incognito: the
# kiosk's device cookie must survive restarts, or it has to be enrolled again.
exec "$browser" --kiosk --autoplay-policy=no-user-gesture-required --noerrdialogs \
  --disable-session-crashed-bubble --no-first-run --password-store=basic \
  --user-data-dir="$profile" "$url"
