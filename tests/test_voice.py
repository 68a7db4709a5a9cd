"""The hall's voice clips (issue 5): every clip a call can need is there, and each is a
small, valid mono Ogg Vorbis file. Read with a few lines of Ogg parsing: no audio library."""
from __future__ import annotations

import re
import struct
import tomllib
from pathlib import Path

import pytest

from conftest import CONFIG, ROOT

VOICE = ROOT / "display" / "static" / "voice"
SCRIPT = ROOT / "scripts" / "make_voice.sh"
PLAYER = ROOT / "display" / "static" / "voice.js"

DIGITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
NUMBER_WORDS = ["sepuluh", "sebelas", "belas", "puluh", "seratus", "ratus"]  # with the digits: 1 to 999
PHRASES = ["chime", "nomor-antrian", "silakan-menuju-loket"]
LETTERS = [f"huruf-{chr(c)}" for c in range(ord("a"), ord("z") + 1)]
EVERY_CLIP = PHRASES + DIGITS + NUMBER_WORDS + LETTERS


def ogg_vorbis(path: Path) -> dict:
    """Return channels, sample rate and duration of an Ogg Vorbis file, checking its page structure."""
    data = path.read_bytes()
    pages, at = [], 0
    while at < len(data):
        assert data[at:at + 4] == b"OggS", f"{path.name}: no Ogg page at byte {at}"
        granule = struct.unpack_from("<q", data, at + 6)[0]
        segments = data[at + 26]
        body = at + 27 + segments
        size = sum(data[at + 27:body])
        pages.append((granule, data[body:body + size]))
        at = body + size
    assert at == len(data), f"{path.name}: truncated"
    ident = pages[0][1]
    assert ident[:7] == b"\x01vorbis", f"{path.name}: not Vorbis"
    rate = struct.unpack_from("<I", ident, 12)[0]
    return {"channels": ident[11], "rate": rate, "seconds": pages[-1][0] / rate}


def test_every_letter_of_the_configured_prefixes_has_a_clip():
    with open(CONFIG, "rb") as f:
        prefixes = {s["prefix"] for s in tomllib.load(f)["services"]}
    missing = [p for p in sorted(prefixes) if not (VOICE / f"huruf-{p.lower()}.ogg").is_file()]
    assert not missing


def test_the_set_is_complete_letters_digits_counter_numbers_phrases_and_the_chime():
    assert sorted(p.stem for p in VOICE.glob("*.ogg")) == sorted(EVERY_CLIP)
    assert sorted(p.name for p in VOICE.iterdir()) == sorted(f"{c}.ogg" for c in EVERY_CLIP)  # nothing else shipped


@pytest.mark.parametrize("clip", EVERY_CLIP)
def test_each_clip_is_a_short_mono_ogg_vorbis_file(clip):
    path = VOICE / f"{clip}.ogg"
    info = ogg_vorbis(path)
    assert info["channels"] == 1, info
    assert 16000 <= info["rate"] <= 22050, info
    assert 0.15 <= info["seconds"] <= (2.5 if clip == "chime" else 2.0), info
    assert path.stat().st_size < 16 * 1024


def test_the_whole_set_stays_small():
    assert sum(p.stat().st_size for p in VOICE.glob("*.ogg")) < 320 * 1024


def test_the_script_the_player_and_the_folder_name_the_same_clips():
    made = set(re.findall(r'"([a-z-]+)\|', SCRIPT.read_text())) | {"chime"}
    assert made == set(EVERY_CLIP)
    player = PLAYER.read_text()
    for name, words in (("DIGITS", DIGITS), ("NUMBER_WORDS", NUMBER_WORDS), ("PHRASES", PHRASES)):
        listed = re.search(rf"const {name} = \[([^\]]*)\]", player).group(1)
        assert re.findall(r'"([a-z-]+)"', listed) == words, name
