"""The OpenAPI 3.1 document of the JSON API, written by hand and served at /api/openapi.json.

The codes the config names (kiosks, services, reasons) are enums drawn from it, so the
document tells a client, and a fuzzer, exactly what this office accepts.
tests/test_openapi.py fails when a route under /api/ is missing here.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from queueing.config import MODES, Config
from queueing.model import PAUSE_REASONS, PRIORITY_KINDS, STATUSES
from queueing.reports import OUTCOMES
from web.body import MAX_ID

bp = Blueprint("openapi", __name__)

JSON = "application/json"
ERRORS = {
    400: "Masukan tidak sah (bad input): kolom hilang, salah jenis, atau kode yang tidak dikenal.",
    401: "Belum masuk (login) atau sesi sudah berakhir.",
    403: "Tidak berwenang, atau token CSRF tidak ada/tidak cocok (`csrf`).",
    404: "Data tidak ditemukan.",
    409: "Perpindahan status yang tidak diperbolehkan; tidak ada yang berubah.",
    413: "Isi permintaan lebih dari 16 KB.",
    429: "Terlalu banyak permintaan (batas per kios, per alamat, atau login gagal per nama pengguna).",
}
PUBLIC, STAFF, ADMIN = "public", "staff", "admin"


@bp.get("/api/openapi.json")
def openapi_json():
    """Serve the document; anyone may read it."""
    return jsonify(document(current_app.extensions["config"]))


def document(config: Config) -> dict:
    """Return the OpenAPI document of the JSON API for this office's config."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Antrian Dispendukcapil", "version": "1",
                 "description": "Antrean dan penerimaan tamu kantor Dispendukcapil. Semua galat berbentuk "
                                "{\"error\": kode, \"message\": kalimat}."},
        "servers": [{"url": "/"}],
        "paths": _merged(_public_paths(config), _staff_paths(config), _admin_paths(config)),
        "components": {"schemas": _schemas(), "responses": _error_responses(),
                       "securitySchemes": _security_schemes()},
    }


# --- building blocks ---

def _merged(*groups: dict) -> dict:
    """Join path items of several groups: one path may have a public GET and an admin POST."""
    paths: dict = {}
    for group in groups:
        for path, item in group.items():
            paths.setdefault(path, {}).update(item)
    return paths


def _get(who: str, summary: str, ok: dict, errors=(), params=()) -> dict:
    return {"get": _op(who, False, summary, ok, errors, None, params)}


def _post(who: str, summary: str, ok: dict, errors=(), body: dict | None = None, params=()) -> dict:
    return {"post": _op(who, True, summary, ok, errors, body, params)}


def _delete(who: str, summary: str, ok: dict, errors=(), params=()) -> dict:
    return {"delete": _op(who, True, summary, ok, errors, None, params)}


def _op(who: str, changes: bool, summary: str, ok: dict, errors, body: dict | None, params) -> dict:
    """One operation: who may call it (its tag), its success answers, its error codes, its input."""
    errors = set(errors) | ({401, 403} if who != PUBLIC else set())
    if any(p["in"] == "path" for p in params):
        errors.add(404)  # a path value the server does not know matches no route
    operation = {"summary": summary, "tags": [who], "security": _security(who, changes),
                 "responses": {**{str(s): r for s, r in ok.items()},
                               **{str(s): {"$ref": f"#/components/responses/E{s}"} for s in sorted(errors)}}}
    if params:
        operation["parameters"] = list(params)
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
    return operation


def _security(who: str, changes: bool) -> list:
    if who == PUBLIC:
        return []
    # Every staff POST changes state (even logout), so each carries the CSRF token.
    return [{"session": [], "csrf": []}] if changes else [{"session": []}]


def _ok(description: str, schema: dict | None = None, media: str = JSON) -> dict:
    answer = {"description": description}
    if schema is not None:
        answer["content"] = {media: {"schema": schema}}
    return answer


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required=()) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _text(max_length: int = 64, **extra) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": max_length, **extra}


def _path_id(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


def _token(description: str) -> dict:
    return {"name": "token", "in": "path", "required": True, "schema": {"type": "string"},
            "description": description}


def _query(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


DATE = {"type": "string", "format": "date"}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}


# --- paths ---

def _visit_fields(config: Config) -> dict:
    """What a visit sends, at a kiosk or at a staffed desk."""
    return {
        "kiosk": {"type": "string", "enum": [k.id for k in config.kiosks]},
        "service": {"type": "string", "enum": [s.code for s in config.services]},
        "reason": {"description": "Alasan darurat (klaim; loket mengonfirmasi atau menolaknya).",
                   "oneOf": [{"type": "string", "enum": [r.code for r in config.reasons]}, {"type": "null"}]},
        "priority": {"description": "Prioritas (UU 25/2009 Pasal 29): true atau jenisnya.",
                     "oneOf": [{"type": "boolean"}, {"type": "string", "enum": list(PRIORITY_KINDS)},
                               {"type": "null"}]},
        "request_id": _text(128, description="Satu per ketukan: kiriman ulang mengembalikan jawaban yang sama."),
    }


def _public_paths(config: Config) -> dict:
    kiosks = [k.id for k in config.kiosks]
    visit = _obj({**_visit_fields(config),
                  "kiosk": {"type": "string", "enum": kiosks, "description": "Kios terdaftar; atau `join`, atau `booking`."},
                  "join": {"type": "string", "description": "Kode dari layar aula (bergabung dari ponsel): tiket tidak "
                                                            "dicetak; kode lama 403 join_expired."},
                  "booking": {"type": "string", "description": "Kode booking, untuk check-in di kios."}},
                 ("service", "request_id"))
    return {
        "/api/openapi.json": _get(PUBLIC, "Dokumen OpenAPI ini", {200: _ok("Dokumen", {"type": "object"})}),
        "/api/state": _get(PUBLIC, "Keadaan antrean untuk umum", {200: _ok("Snapshot", _ref("Snapshot"))}),
        "/api/notices": _get(PUBLIC, "Teks berjalan dan pengumuman layanan",
                             {200: _ok("Pengumuman", _ref("Notices"))}),
        "/api/tickets/{token}": _get(
            PUBLIC, "Status satu tiket untuk halaman ponsel pengunjung",
            {200: _ok("Tiket", _obj({"ticket": _ref("PhoneTicket")}, ("ticket",)))}, (404,),
            params=[{"name": "token", "in": "path", "required": True, "schema": {"type": "string"},
                     "description": "Token rahasia tiket (dari kode QR)."}]),
        "/api/tickets/{token}/survey": {
            **_get(PUBLIC, "Survei kepuasan tiket ini: dibuka, sudah diisi, sampai kapan, pertanyaannya",
                   {200: _ok("Survei", {"type": "object"})}, (404,),
                   params=[_token("Token rahasia tiket.")]),
            **_post(PUBLIC, "Isi survei kepuasan (sekali per tiket, setelah selesai dilayani, sampai akhir hari "
                            "berikutnya)", {201: _ok("Tersimpan", {"type": "object"})}, (400, 404, 409, 413),
                    params=[_token("Token rahasia tiket.")], body=_obj({
                        "answers": _obj({f"u{i}": {"type": "integer", "minimum": 1, "maximum": 4}
                                         for i in range(1, 10)}, tuple(f"u{i}" for i in range(1, 10))),
                        "comment": {"type": ["string", "null"], "maxLength": 500}}, ("answers",))),
        },
        "/api/visits": _post(
            PUBLIC, "Kunjungan dari kios terdaftar (cookie perangkat antrian_kiosk_<id>; tanpa itu 403 "
                    "kiosk_not_enrolled): tiket, atau diarahkan online/tutup/ditunda/penuh",
            {201: _ok("Tiket diterbitkan", _ref("VisitTicket")),
             200: _ok("Hasil tanpa tiket: online, postponed, closed, full", _ref("VisitOther"))},
            (400, 403, 409, 413, 429), body=visit),
        "/api/slips": _post(
            PUBLIC, "Cetak slip layanan online di printer kios terdaftar (403 kiosk_not_enrolled tanpa cookie perangkat)",
            {200: _ok("Kios tanpa printer", _obj({"print": _ref("PrintStatus")})),
             202: _ok("Slip masuk antrean cetak", _obj({"print": _ref("PrintStatus")}))},
            (400, 403, 413, 429), body=_obj({"kiosk": {"type": "string", "enum": kiosks}}, ("kiosk",))),
        "/api/booking/slots": _get(
            PUBLIC, "Hari dan sesi yang dapat dibooking untuk satu layanan, dengan sisa tempat",
            {200: _ok("Sesi", {"type": "object"})}, (400, 404),
            params=[_query("service", "Kode layanan.", {"type": "string"}, required=True)]),
        "/api/bookings": _post(
            PUBLIC, "Booking satu tempat pada satu sesi (tanpa data pribadi)",
            {201: _ok("Booking", _obj({"booking": _ref("Booking")}))}, (400, 404, 409, 413, 429),
            body=_obj({"service": {"type": "string", "enum": [s.code for s in config.services]},
                       "date": DATE, "start": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
                       "request_id": _text(128)}, ("service", "date", "start", "request_id"))),
        "/api/bookings/{token}": _get(
            PUBLIC, "Status satu booking", {200: _ok("Booking", _obj({"booking": _ref("Booking")}))}, (404,),
            params=[_token("Token rahasia booking (dari kode QR).")]),
        "/api/bookings/{token}/cancel": _post(
            PUBLIC, "Batalkan booking yang masih berlaku", {200: _ok("Booking", _obj({"booking": _ref("Booking")}))},
            (404, 409), params=[_token("Token rahasia booking.")]),
        "/api/login": _post(
            PUBLIC, "Masuk sebagai petugas; memasang cookie antrian_session",
            {200: _ok("Sesi baru", _ref("Session"))}, (400, 401, 413, 429),
            body=_obj({"username": _text(64), "password": _text(256, format="password")},
                      ("username", "password"))),
    }


def _staff_paths(config: Config) -> dict:
    counter = _path_id("counter_id", "Nomor loket: " + ", ".join(str(c.id) for c in config.counters))
    ticket = _path_id("ticket_id", "Id tiket (bukan nomornya).")
    answer = {200: _ok("Tiket sesudah perubahan", _obj({"ticket": _ref("Ticket")}, ("ticket",)))}
    return {
        "/api/logout": _post(STAFF, "Keluar: sesi diakhiri di server",
                             {200: _ok("Keluar", _obj({"ok": {"type": "boolean"}}))}),
        "/api/session": _get(STAFF, "Sesi yang sedang berjalan", {200: _ok("Sesi", _ref("Session"))}),
        "/api/counters/{counter_id}": _get(
            STAFF, "Konsol loket: tiket yang dipegang, antrean, rekap hari ini",
            {200: _ok("Konsol", _ref("Desk"))}, (404,), params=[counter]),
        "/api/counters/{counter_id}/call-next": _post(
            STAFF, "Panggil nomor berikutnya", answer, (404, 409), params=[counter]),
        "/api/counters/{counter_id}/pause": _post(
            STAFF, "Jeda loket (istirahat, ibadah, rapat, lainnya); ditolak selama loket memegang tiket",
            {200: _ok("Loket dijeda", {"type": "object"})}, (400, 409, 413), params=[counter],
            body=_obj({"reason": {"type": "string", "enum": list(PAUSE_REASONS)}}, ("reason",))),
        "/api/counters/{counter_id}/resume": _post(
            STAFF, "Lanjutkan loket yang dijeda", {200: _ok("Loket melayani lagi", {"type": "object"})},
            (409,), params=[counter]),
        "/api/counters/{counter_id}/call": _post(
            STAFF, "Panggil tiket tertentu yang menunggu", answer, (400, 404, 409, 413), params=[counter],
            body=_obj({"ticket_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}, ("ticket_id",))),
        "/api/tickets/{ticket_id}/{action}": _post(
            STAFF, "Panggil ulang, mulai, selesai, atau tidak hadir", answer, (404, 409), params=[
                ticket, {"name": "action", "in": "path", "required": True,
                         "schema": {"type": "string", "enum": ["recall", "start", "finish", "no-show"]}}]),
        "/api/tickets/{ticket_id}/transfer": _post(
            STAFF, "Alihkan ke layanan lain (tetap nomor dan urutannya)", answer, (400, 404, 409, 413),
            params=[ticket], body=_obj({"service": {"type": "string", "enum": [s.code for s in config.services]}},
                                       ("service",))),
        "/api/tickets/{ticket_id}/verify": _post(
            STAFF, "Konfirmasi (true) atau tolak (false) klaim darurat", answer, (400, 404, 409, 413),
            params=[ticket], body=_obj({"emergency": {"type": "boolean"}}, ("emergency",))),
        "/api/tickets/{ticket_id}/reprint": _post(
            STAFF, "Cetak ulang tiket di printer kiosnya",
            {202: _ok("Pekerjaan cetak baru", _obj({"print": _ref("PrintJob")}))}, (404, 409), params=[ticket]),
        "/api/tickets/lookup": _get(
            STAFF, "Cari tiket menurut nomornya (hari ini, atau ?date=)",
            {200: _ok("Tiket", _obj({"ticket": _ref("Ticket")}))}, (400, 404), params=[
                _query("number", "Nomor tiket, misalnya B001.", {"type": "string", "minLength": 2, "maxLength": 8},
                       required=True),
                _query("date", "Hari layanan, YYYY-MM-DD.", DATE)]),
        "/api/tickets/{ticket_id}/requeue": _post(
            STAFF, "Antrekan lagi tiket tidak hadir hari ini (dalam requeue_minutes), sesudah requeue_after tiket",
            answer, (403, 404, 409), params=[ticket]),
        "/api/desk/visits": _post(
            STAFF, "Tiket yang diterbitkan petugas di meja layanan: aturan dan jawaban sama dengan kios; alasan "
                   "darurat dari petugas langsung dikonfirmasi; dicetak di printer kios yang disebut, bila ada",
            {201: _ok("Tiket diterbitkan", _ref("VisitTicket")),
             200: _ok("Hasil tanpa tiket: online, postponed, closed, full", _ref("VisitOther"))},
            (400, 409, 413), body=_obj(_visit_fields(config), ("service", "request_id"))),
        "/api/bookings/{code}/check-in": _post(
            STAFF, "Check-in booking oleh petugas (dicetak di printer kios yang disebut, bila ada)",
            {201: _ok("Tiket dari booking", _ref("VisitTicket")), 200: _ok("Tutup atau ditunda", _ref("VisitOther"))},
            (400, 404, 409, 413), body=_obj({"kiosk": {"type": "string", "enum": [k.id for k in config.kiosks]}}),
            params=[{"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                     "description": "Kode booking, 6 karakter."}]),
    }


def _admin_paths(config: Config) -> dict:
    date = _query("date", "Hari layanan, YYYY-MM-DD (bawaan: hari ini).", DATE)
    csv = _ok("Laporan CSV", {"type": "string"}, "text/csv")
    kiosk = {"name": "kiosk_id", "in": "path", "required": True, "description": "Id kios dari konfigurasi.",
             "schema": {"type": "string", "enum": [k.id for k in config.kiosks]}}
    return {
        "/api/admission": _get(ADMIN, "Mode yang berlaku dan alasannya, jendela, riwayat",
                               {200: _ok("Penerimaan", {"type": "object"})}),
        "/api/admission/mode": _post(
            ADMIN, "Ubah mode penerimaan, atau null untuk kembali ke konfigurasi",
            {200: _ok("Mode yang berlaku", _ref("Mode"))}, (400, 413),
            body=_obj({"mode": {"oneOf": [{"type": "string", "enum": list(MODES)}, {"type": "null"}]}},
                      ("mode",))),
        "/api/bookings": _get(
            ADMIN, "Booking satu hari menurut sesi dan layanan: booked, checked_in, missed, cancelled",
            {200: _ok("Booking per sesi", {"type": "object"})}, (400, 404),
            params=[_query("date", "Hari layanan, YYYY-MM-DD (bawaan: hari ini).", DATE)]),
        "/api/windows": {
            **_get(ADMIN, "Periode bertanggal: dari konfigurasi (hanya baca) dan milik kantor",
                   {200: _ok("Periode", _obj({"windows": {"type": "array", "items": _ref("Window")}}))}),
            **_post(ADMIN, "Tambah hari libur, periode darurat, atau penundaan layanan; disiarkan sebagai "
                           "peristiwa mode", {201: _ok("Periode baru", _obj({"window": _ref("Window")}))},
                    (400, 413), body=_obj({
                        "from": DATE, "until": DATE,
                        "mode": {"oneOf": [{"type": "string", "enum": list(MODES)}, {"type": "null"}]},
                        "postponed": {"type": "array", "items": {
                            "type": "string", "enum": [s.code for s in config.services]}},
                        "reference": _text(200)}, ("from", "until", "reference")))},
        "/api/windows/{window_id}": _delete(
            ADMIN, "Hapus periode milik kantor (periode dari konfigurasi: 409)", {204: _ok("Dihapus")}, (409,),
            params=[{"name": "window_id", "in": "path", "required": True, "schema": {"type": "string"},
                     "description": "Id periode: angka untuk milik kantor, config-N untuk dari konfigurasi."}]),
        "/api/notices": _post(
            ADMIN, "Ubah teks berjalan dan/atau pengumuman layanan", {200: _ok("Pengumuman", _ref("Notices"))},
            (400, 413), body=_obj({
                "running": {"type": ["string", "null"], "maxLength": 500},
                "services": {"type": "object", "propertyNames": {"enum": [s.code for s in config.services]},
                             "additionalProperties": {"type": "string", "maxLength": 500}}})),
        "/api/reports/survey": _get(
            ADMIN, "Survei kepuasan masyarakat (SKM) untuk satu periode: NRR per unsur, IKM, mutu, per layanan "
                   "dan per loket, komentar", {200: _ok("Laporan survei", {"type": "object"})}, (400,),
            params=[_query("from", "Hari pertama (bawaan: awal bulan ini).", DATE),
                    _query("to", "Hari terakhir (bawaan: hari ini).", DATE)]),
        "/api/reports/survey.csv": _get(
            ADMIN, "Survei kepuasan (CSV)", {200: csv}, (400,),
            params=[_query("from", "Hari pertama.", DATE), _query("to", "Hari terakhir.", DATE)]),
        "/api/reports/survey/elements.svg": _get(
            ADMIN, "Grafik NRR per unsur survei kepuasan, dengan batas mutu (SVG)",
            {200: _ok("Grafik", {"type": "string"}, "image/svg+xml")}, (400,), params=[
                _query("from", "Hari pertama (bawaan: awal bulan ini).", DATE),
                _query("to", "Hari terakhir (bawaan: hari ini).", DATE),
                _query("lang", "Bahasa label.", {"type": "string", "enum": ["id", "en"]})]),
        "/api/reports/daily": _get(ADMIN, "Laporan harian", {200: _ok("Laporan", _ref("Report"))},
                                   (400,), params=[date]),
        "/api/reports/daily.csv": _get(ADMIN, "Laporan harian (CSV)", {200: csv}, (400,), params=[date]),
        "/api/reports/daily/{chart}.svg": _get(
            ADMIN, "Satu grafik laporan harian (SVG)",
            {200: _ok("Grafik", {"type": "string"}, "image/svg+xml")}, (400,), params=[
                {"name": "chart", "in": "path", "required": True,
                 "schema": {"type": "string", "enum": ["hours", "wait", "outcomes"]}},
                date, _query("lang", "Bahasa label.", {"type": "string", "enum": ["id", "en"]})]),
        "/api/reports/range.csv": _get(
            ADMIN, "Satu baris per hari, paling lama 92 hari (CSV)", {200: csv}, (400,), params=[
                _query("from", "Hari pertama.", DATE, required=True),
                _query("until", "Hari terakhir.", DATE, required=True)]),
        "/api/printers": _get(ADMIN, "Keadaan printer dan pekerjaan yang gagal",
                              {200: _ok("Printer", _obj({"printers": {"type": "array"}}))}),
        "/api/kiosks": _get(ADMIN, "Kios dengan perangkat terdaftar dan tautan pendaftaran yang belum dipakai",
                            {200: _ok("Kios", _obj({"kiosks": {"type": "array"}}))}),
        "/api/kiosks/{kiosk_id}/enrollments": _post(
            ADMIN, "Tautan pendaftaran sekali pakai (berlaku 24 jam)",
            {201: _ok("Tautan", _obj({"url": {"type": "string"}, "expires_at": {"type": "string"}}))},
            params=[kiosk]),
        "/api/kiosks/{kiosk_id}/enroll-browser": _post(
            ADMIN, "Daftarkan browser ini sebagai kios (memasang cookie perangkat)",
            {200: _ok("Terdaftar", _obj({"kiosk": {"type": "string"}, "enrolled": {"type": "boolean"}}))},
            params=[kiosk]),
        "/api/kiosks/{kiosk_id}/revoke": _post(
            ADMIN, "Cabut semua perangkat kios ini; soketnya diputus",
            {200: _ok("Dicabut", _obj({"kiosk": {"type": "string"}, "revoked": {"type": "integer"}}))},
            params=[kiosk]),
        "/api/print-jobs/{job_id}/retry": _post(
            ADMIN, "Ulangi pekerjaan cetak yang gagal", {200: _ok("Pekerjaan", _obj({"print": _ref("PrintJob")}))},
            (404, 409), params=[_path_id("job_id", "Id pekerjaan cetak.")]),
    }


# --- components ---

def _error_responses() -> dict:
    responses = {f"E{status}": _ok(description, _ref("Error")) for status, description in ERRORS.items()}
    responses["E429"]["headers"] = {"Retry-After": {
        "description": "Detik sampai batas mengizinkan satu permintaan lagi.",
        "schema": {"type": "integer", "minimum": 1}}}
    return responses


def _security_schemes() -> dict:
    return {
        "session": {"type": "apiKey", "in": "cookie", "name": "antrian_session",
                    "description": "Sesi petugas dari POST /api/login (HttpOnly, SameSite=Lax)."},
        "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                 "description": "csrf_token dari /api/login atau /api/session; wajib pada setiap POST petugas "
                                "(tanpa itu: 403 `csrf`)."},
    }


def _schemas() -> dict:
    status = {"type": "string", "enum": list(STATUSES)}
    public_ticket = _obj({"id": {"type": "integer"}, "number": {"type": "string"}, "service": {"type": "string"},
                          "status": status, "priority": {"type": "boolean"}, "emergency": {"type": "boolean"},
                          "counter": NULLABLE_INT, "issued_at": {"type": "string"}, "called_at": NULLABLE_STRING},
                         ("number", "service", "status"))
    ticket = _obj({**public_ticket["properties"], "service_name": {"type": "string"},
                   "position": NULLABLE_INT, "estimated_wait_minutes": NULLABLE_INT,
                   "priority_kind": NULLABLE_STRING, "reason": NULLABLE_STRING, "reason_label": NULLABLE_STRING,
                   "emergency": NULLABLE_STRING, "day": {"type": "string"}, "kiosk": {"type": "string"},
                   "counter_name": NULLABLE_STRING, "started_at": NULLABLE_STRING, "ended_at": NULLABLE_STRING,
                   "source": {"type": "string", "enum": ["walk_in", "booked", "desk", "phone"]},
                   "issued_by": NULLABLE_STRING,
                   "requeue_until": {"type": ["string", "null"],
                                     "description": "Tiket tidak hadir hari ini: batas waktu untuk diantrekan lagi."},
                   "requeueable": {"type": ["boolean", "null"],
                                   "description": "Tiket tidak hadir: masih dapat diantrekan lagi sekarang."}},
                  ("id", "number", "service", "status"))
    return {
        "Error": {"type": "object", "required": ["error", "message"], "additionalProperties": False,
                  "properties": {"error": {"type": "string", "description": "Kode untuk program."},
                                 "message": {"type": "string",
                                             "description": "Kalimat untuk manusia (Indonesia)."}}},
        "PublicTicket": public_ticket,
        "Ticket": ticket,
        "PhoneTicket": _obj({k: ticket["properties"][k] for k in (
            "number", "service", "service_name", "status", "position", "estimated_wait_minutes", "counter",
            "counter_name", "priority", "issued_at", "called_at", "requeue_until", "requeueable")} | {"status_url": {"type": "string"}},
            ("number", "status", "status_url")),
        "VisitTicket": _obj({"outcome": {"const": "ticket"},
                             "ticket": _obj({**ticket["properties"], "token": {"type": "string"},
                                             "status_url": {"type": "string"}}, ("id", "number", "token")),
                             "print": _ref("PrintStatus")}, ("outcome", "ticket", "print")),
        "VisitOther": _obj({"outcome": {"type": "string", "enum": [o for o in OUTCOMES if o != "ticket"]},
                            "message": {"type": "string"}, "url": {"type": "string"},
                            "reopens": {"oneOf": [_ref("Reopens"), {"type": "null"}]},
                            "resumes_on": DATE, "until": DATE,
                            "limit": {"type": "string", "enum": ["office", "service"]},
                            "service": {"type": "string"},
                            "steps": {"type": "array", "items": {"type": "string"}}, "qr": {"type": "string"}},
                           ("outcome", "message")),
        "Booking": _obj({"code": {"type": "string"}, "token": {"type": "string"}, "service": {"type": "string"},
                         "date": DATE, "start": {"type": "string"}, "end": {"type": "string"},
                         "status": {"type": "string", "enum": ["booked", "checked_in", "cancelled", "missed"]},
                         "status_url": {"type": "string"}},
                        ("code", "token", "service", "date", "start", "end", "status", "status_url")),
        "Reopens": _obj({"date": DATE, "time": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}},
                        ("date", "time")),
        "Window": _obj({"id": {"type": ["integer", "string"]}, "source": {"type": "string", "enum": ["config", "office"]},
                        "from": DATE, "until": DATE, "mode": {"type": ["string", "null"]},
                        "postponed": {"type": "array", "items": {"type": "string"}},
                        "reference": {"type": "string"}, "created_by": {"type": "string"},
                        "created_at": {"type": "string"}},
                       ("id", "source", "from", "until", "mode", "postponed", "reference")),
        "PrintStatus": _obj({"status": {"type": "string", "enum": ["queued", "printed", "failed", "preview"]},
                             "id": {"type": "integer"}}, ("status",)),
        "PrintJob": _obj({"id": {"type": "integer"}, "ticket_id": NULLABLE_INT, "kiosk": {"type": "string"},
                          "kind": {"type": "string"}, "status": {"type": "string"},
                          "attempts": {"type": "integer"}, "last_error": NULLABLE_STRING,
                          "paper": NULLABLE_STRING, "number": NULLABLE_STRING}, ("id", "kiosk", "status")),
        "Session": _obj({"user": {"type": "string"}, "role": {"type": "string", "enum": ["staff", "admin"]},
                         "counters": {"type": "array", "items": {"type": "integer"}},
                         "csrf_token": {"type": "string"}}, ("user", "role", "counters", "csrf_token")),
        "Mode": _obj({"mode": {"type": "string", "enum": list(MODES)},
                      "source": {"type": "string", "enum": ["override", "window", "default"]}},
                     ("mode", "source")),
        "Notice": _obj({"text": {"type": "string"}, "updated_at": NULLABLE_STRING, "updated_by": NULLABLE_STRING}),
        "Notices": _obj({"running": _ref("Notice"),
                         "services": {"type": "object", "additionalProperties": _ref("Notice")}}),
        "Snapshot": _obj({
            "version": {"type": "integer"}, "day": {"type": "string"},
            "mode": {"type": "string", "enum": list(MODES)},
            "open": {"type": "boolean", "description": "Kios menerima pengunjung tanpa alasan darurat sekarang."},
            "reopens": {"oneOf": [_ref("Reopens"), {"type": "null"}]},
            "calendar": {"type": "object", "description": "Jam hari ini, alasan tutup, hari tutup mendatang, "
                                                          "layanan yang ditunda."},
            "services": {"type": "array", "items": _obj({
                "code": {"type": "string"}, "name": {"type": "string"}, "prefix": {"type": "string"},
                "waiting": {"type": "integer"}, "target_wait": NULLABLE_INT,
                "longest_wait": {"type": ["integer", "null"], "description": "Menit tunggu tiket terlama."},
                "over_target": {"type": "boolean"}})},
            "counters": {"type": "array", "items": _obj({"id": {"type": "integer"}, "name": {"type": "string"},
                                                         "ticket": {"oneOf": [_ref("PublicTicket"),
                                                                              {"type": "null"}]}})},
            "waiting": {"type": "array", "items": _ref("PublicTicket")},
            "recent_calls": {"type": "array", "items": _obj({"number": {"type": "string"},
                                                             "counter": {"type": "integer"},
                                                             "called_at": {"type": "string"}})},
        }, ("version", "day", "mode", "services", "counters", "waiting", "recent_calls")),
        "Desk": _obj({"counter": {"type": "object"}, "ticket": {"oneOf": [_ref("Ticket"), {"type": "null"}]},
                      "paused": {"type": ["object", "null"]},
                      "waiting": {"type": "array", "items": _ref("Ticket")},
                      "no_shows": {"type": "array", "items": _ref("Ticket")}, "today": {"type": "object"}},
                     ("counter", "ticket", "waiting")),
        "Report": _obj({"date": {"type": "string"}, "calendar": _obj({
                            "state": {"type": "string", "enum": ["open", "emergency_only", "closed"]},
                            "reason": NULLABLE_STRING, "hours": {"type": ["object", "null"]}}),
                        "visits": {"type": "object"}, "tickets": {"type": "object"},
                        "counters": {"type": "array"}, "wait_seconds": {"type": "object"},
                        "service_seconds": {"type": "object"}, "by_hour": {"type": "array"}}, ("date",)),
    }
