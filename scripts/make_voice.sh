#!/usr/bin/env bash
# Make the hall display's voice clips (issue 5): display/static/voice/*.ogg
#
#   ./scripts/make_voice.sh                  # synthesise every clip with espeak-ng's Indonesian voice
#   ./scripts/make_voice.sh --from DIR       # then replace clips by human recordings found in DIR
#
# The hall screen speaks a call by playing clips back to back, e.g. for A001 at counter 2:
#   chime, nomor-antrian, huruf-a, nol, nol, satu, silakan-menuju-loket, dua
# so it works offline, in any browser, with no speech voice installed on the wall PC.
#
# A human voice instead of espeak-ng: record each clip (one word or phrase, as in the
# table below; a calm, clear voice, one speaker for all) and save it in one folder under
# the clip's name with any extension sox reads (wav, flac, ogg): e.g. recordings/satu.wav,
# recordings/huruf-b.wav, recordings/silakan-menuju-loket.wav. Then run
#   ./scripts/make_voice.sh --from recordings
# Every recording found replaces the synthesised clip of that name; clips not recorded
# stay synthesised. Recordings are trimmed of leading/trailing silence, made mono 16 kHz,
# normalised to the same loudness and stored as Ogg Vorbis under the same name. A chime
# of your own can be dropped in the same way as recordings/chime.wav.
# The screen picks up new clips on its next reload (no server restart needed).
#
# Needs: espeak-ng (with its Indonesian voice "id") and sox with Ogg Vorbis support
# (Debian: apt-get install espeak-ng sox libsox-fmt-all).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=display/static/voice
RATE=16000       # speech needs no more; keeps the whole set small
QUALITY=2        # Ogg Vorbis quality (-1..10)
SPEED=150        # espeak-ng words per minute: a little slower than its default, for a large hall

# clip name | what is said
CLIPS=(
  "nomor-antrian|nomor antrian"
  "silakan-menuju-loket|silakan menuju loket"
  # digits, also the units of counter numbers
  "nol|nol" "satu|satu" "dua|dua" "tiga|tiga" "empat|empat" "lima|lima"
  "enam|enam" "tujuh|tujuh" "delapan|delapan" "sembilan|sembilan"
  # counter numbers are composed from these: 12 = dua belas, 35 = tiga puluh lima, 110 = seratus sepuluh
  "sepuluh|sepuluh" "sebelas|sebelas" "belas|belas" "puluh|puluh" "seratus|seratus" "ratus|ratus"
  # the letters of ticket numbers, by their Indonesian names
  "huruf-a|a" "huruf-b|be" "huruf-c|ce" "huruf-d|de" "huruf-e|e" "huruf-f|ef" "huruf-g|ge"
  "huruf-h|ha" "huruf-i|i" "huruf-j|je" "huruf-k|ka" "huruf-l|el" "huruf-m|em" "huruf-n|en"
  "huruf-o|o" "huruf-p|pe" "huruf-q|ki" "huruf-r|er" "huruf-s|es" "huruf-t|te" "huruf-u|u"
  "huruf-v|fe" "huruf-w|we" "huruf-x|eks" "huruf-y|ye" "huruf-z|zet"
)

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

FROM=""
while [ $# -gt 0 ]; do
  case "$1" in
    --from) FROM="${2:?--from needs a folder}"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 >&2 ;;
  esac
done

for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install espeak-ng sox libsox-fmt-all)" >&2; exit 1; }
done
espeak-ng --voices=id | grep -q ' id ' || { echo "espeak-ng has no Indonesian voice (id)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

# Trim silence at both ends, mono, 16 kHz, same peak level, Ogg Vorbis. -R: the same bytes on every run.
encode() {  # encode INPUT NAME
  sox -R "$1" -c 1 -r "$RATE" -C "$QUALITY" "$OUT/$2.ogg" \
    silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse norm -1
}

speak() {  # speak NAME TEXT
  espeak-ng -v id -s "$SPEED" -w "$TMP/$1.wav" "$2"
  encode "$TMP/$1.wav" "$1"
}

chime() {
  # Two tones, high then low (ding-dong), each a soft attack and a long decay, with a quiet
  # octave above for a bell-like colour.
  sox -R -n -r "$RATE" -c 1 "$TMP/ding.wav" synth 0.55 sine 784 sine 1568 remix 1v0.8,2v0.2 \
    fade l 0.01 0.55 0.5
  sox -R -n -r "$RATE" -c 1 "$TMP/dong.wav" synth 0.9 sine 622.25 sine 1244.5 remix 1v0.8,2v0.2 \
    fade l 0.01 0.9 0.85
  sox -R "$TMP/ding.wav" "$TMP/dong.wav" -C "$QUALITY" "$OUT/chime.ogg" norm -3
}

for clip in "${CLIPS[@]}"; do
  speak "${clip%%|*}" "${clip#*|}"
done
chime

if [ -n "$FROM" ]; then
  replaced=0
  for clip in "${CLIPS[@]}" "chime|"; do
    name="${clip%%|*}"
    for file in "$FROM/$name".*; do
      [ -f "$file" ] || continue
      encode "$file" "$name"
      replaced=$((replaced + 1))
      break
    done
  done
  echo "replaced $replaced clips with recordings from $FROM"
fi

count=$(ls "$OUT"/*.ogg | wc -l)
size=$(cat "$OUT"/*.ogg | wc -c)
echo "$count clips in $OUT, $((size / 1024)) KB"
