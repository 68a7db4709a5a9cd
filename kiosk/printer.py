"""Thermal printers through python-escpos: render tickets and slips as bytes, then send them.

Rendering happens on escpos.printer.Dummy, so the bytes are the same for every
printer type and tests can read them; sending opens the real device for one job
with a short timeout (python-escpos would wait 60 s) and closes it again.
"""
from __future__ import annotations

import datetime as dt
import textwrap
from zoneinfo import ZoneInfo

from escpos import printer as escpos_printer
from escpos.constants import RT_STATUS_PAPER
from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

from queueing.config import Printer
from queueing.model import DAYS, MONTHS

PRIORITY_WORDS = {"lansia": "Lansia", "disabilitas": "Disabilitas", "ibu_hamil": "Ibu hamil",
                  "balita": "Membawa balita", "ya": "Prioritas"}
COLUMNS = {58: 32, 80: 48}  # font A characters per line
NO_PAPER, LOW_PAPER = 0x60, 0x0C  # DLE EOT 4 answer bits: paper end, paper near end
READS_STATUS = ("network", "usb", "serial")  # the transports python-escpos can read from


class PrintFailed(Exception):
    """A job did not reach the paper; the message says why, the paper state what is known."""

    def __init__(self, message: str, paper: str = "unknown"):
        super().__init__(message)
        self.paper = paper


# --- rendering ---

def _dummy(config: Printer) -> escpos_printer.Dummy:
    return escpos_printer.Dummy(profile=config.profile or None)


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def _when(issued_at: str, timezone: str) -> str:
    moment = dt.datetime.fromisoformat(issued_at).astimezone(ZoneInfo(timezone))
    day = f"{DAYS[moment.weekday()]}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    return f"{day} {moment:%H.%M} WIB"


def _number_size(number: str, columns: int) -> int:
    """The largest magnification (1-8) at which the number still fits on one line."""
    return max(1, min(8, columns // max(1, len(number))))


def _header(p: Escpos, office: str, columns: int) -> None:
    p.set(align="center", bold=True, normal_textsize=True)
    for line in _lines(office, columns):
        p.textln(line)
    p.set(align="center", bold=False)


def render_ticket(job: dict, config: Printer) -> bytes:
    """Return the ESC/POS bytes of a queue ticket, ending with a cut."""
    columns = COLUMNS[config.paper_width]
    p = _dummy(config)
    _header(p, job["office"], columns)
    p.ln()
    p.textln("Nomor Antrian")
    size = _number_size(job["number"], columns)
    p.set(align="center", bold=True, custom_size=True, width=size, height=size)
    p.textln(job["number"])
    p.set(align="center", bold=False, normal_textsize=True)
    p.set(align="center", double_height=True, double_width=False)
    for line in _lines(job["service_name"], columns):
        p.textln(line)
    p.set(align="center", normal_textsize=True)
    _marks(p, job, columns)
    p.textln(_when(job["issued_at"], job["timezone"]))
    ahead = job["ahead"]  # None: no longer waiting (a reprint, or a print after the call)
    if ahead is not None:
        p.textln("Anda antrean berikutnya" if ahead == 0 else f"{ahead} orang di depan Anda")
    p.ln()
    p.qr(job["url"], native=True, size=6, center=False)
    p.textln("Pindai untuk memantau antrean Anda")
    p.ln()
    for line in _lines("Mohon menunggu, nomor Anda akan dipanggil dan ditampilkan di layar.", columns):
        p.textln(line)
    p.cut()
    return p.output


def _marks(p: Escpos, job: dict, columns: int) -> None:
    if job.get("priority_kind"):
        p.set(align="center", bold=True, invert=True)
        p.textln(f" PRIORITAS: {PRIORITY_WORDS.get(job['priority_kind'], 'Prioritas')} ")
    if job.get("reason_label"):
        p.set(align="center", bold=True, invert=True)
        for line in _lines(f" DARURAT: {job['reason_label']} ", columns):
            p.textln(line)
    p.set(align="center", bold=False, invert=False)


def render_slip(job: dict, config: Printer) -> bytes:
    """Return the ESC/POS bytes of the online-service slip: URL, QR code, three steps, cut."""
    columns = COLUMNS[config.paper_width]
    p = _dummy(config)
    _header(p, job["office"], columns)
    p.ln()
    p.set(align="center", bold=True)
    p.textln("Layanan Online")
    p.set(align="left", bold=False)
    for line in _lines(job["url"], columns):
        p.textln(line)
    p.ln()
    p.qr(job["url"], native=True, size=6)
    for i, step in enumerate(job["steps"], 1):
        for n, line in enumerate(_lines(step, columns - 3)):
            p.textln(f"{i}. {line}" if n == 0 else f"   {line}")
    p.cut()
    return p.output


RENDERERS = {"ticket": render_ticket, "slip": render_slip}


# --- sending ---

def open_device(config: Printer) -> Escpos:
    """Open the configured printer with its timeout; raise escpos or OS errors as they come."""
    profile = config.profile or None
    if config.type == "network":
        device = escpos_printer.Network(config.host, config.port, timeout=config.timeout, profile=profile)
    elif config.type == "usb":
        device = escpos_printer.Usb(config.vendor_id, config.product_id, timeout=int(config.timeout * 1000),
                                    profile=profile)
    elif config.type == "serial":
        device = escpos_printer.Serial(config.device, config.baudrate, timeout=config.timeout, profile=profile)
    elif config.type == "file":
        device = escpos_printer.File(config.path, profile=profile)
    elif config.type == "cups":
        if not escpos_printer.CupsPrinter.is_usable():  # pycups is installed only where CUPS is
            raise PrintFailed("CUPS printing needs pycups: pip install pycups (and libcups2-dev)")
        device = escpos_printer.CupsPrinter(config.name, profile=profile)
    else:
        raise PrintFailed(f"printer type {config.type} cannot print")
    device.open()
    return device


def paper_state(device: Escpos) -> str:
    """Ask the paper sensor (DLE EOT 4): ok, low or out; raise PrintFailed when there is no answer."""
    device._raw(RT_STATUS_PAPER)
    answer = device._read()
    if not answer:
        raise PrintFailed("printer closed the connection")
    if answer[0] & NO_PAPER == NO_PAPER:
        return "out"
    return "low" if answer[0] & LOW_PAPER == LOW_PAPER else "ok"


def send(data: bytes, config: Printer) -> str:
    """Send one job; return the paper state ("unknown" where the printer cannot tell)."""
    try:
        device = open_device(config)
    except (EscposError, OSError) as e:
        raise PrintFailed(f"cannot reach the printer: {e}") from e
    try:
        return _deliver(device, data, config)
    except TimeoutError as e:
        raise PrintFailed("printer did not answer in time") from e
    except (EscposError, OSError) as e:
        raise PrintFailed(f"printing failed: {e}") from e
    finally:
        _close(device)


def _deliver(device: Escpos, data: bytes, config: Printer) -> str:
    # Where the transport can read, the status answer before the job says the paper is
    # there, and the one after it says the printer took every byte of the job.
    if config.type not in READS_STATUS:
        device._raw(data)
        return "unknown"
    paper = paper_state(device)
    if paper == "out":
        raise PrintFailed("printer is out of paper", "out")
    device._raw(data)
    paper_state(device)
    return paper


def _close(device: Escpos) -> None:
    try:
        device.close()
    except (EscposError, OSError):
        pass  # the job's outcome is already known; a failing close changes nothing
