"""The OpenAPI document at /api/openapi.json: complete, valid, and true to the config."""
import re

import schemathesis

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def openapi_path(rule: str) -> str:
    """Turn a Flask rule into its OpenAPI path: /api/tickets/<int:ticket_id> -> /api/tickets/{ticket_id}."""
    return re.sub(r"<(?:[^>]*:)?(\w+)>", r"{\1}", rule)


def api_routes(app) -> set[tuple[str, str]]:
    return {(openapi_path(rule.rule), method.lower())
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
            for method in rule.methods - IGNORED_METHODS}


def documented(document) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_every_api_route_is_in_the_openapi_document(app, client):
    missing = api_routes(app) - documented(client.get("/api/openapi.json").json)
    assert not missing, f"add these to web/openapi.py: {sorted(missing)}"


def test_the_openapi_document_names_no_route_the_server_lacks(app, client):
    assert documented(client.get("/api/openapi.json").json) <= api_routes(app)


def test_anyone_may_read_the_openapi_document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.is_json
    assert response.json["openapi"].startswith("3.")


def test_the_openapi_document_is_valid_openapi(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.validate()  # against the OpenAPI meta-schema; raises on the first error
    operations = list(schema.get_all_operations())
    assert operations and all(result.ok() for result in operations)


def test_the_document_takes_kiosks_services_and_reasons_from_the_config(client):
    visit = client.get("/api/openapi.json").json["paths"]["/api/visits"]["post"]
    fields = visit["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert fields["kiosk"]["enum"] == ["lobby"]
    assert "kk" in fields["service"]["enum"] and "paspor" not in fields["service"]["enum"]
    assert fields["reason"]["oneOf"][0]["enum"] == ["bpjs", "rumah_sakit", "tni_polri"]


def test_staff_calls_need_the_session_cookie_and_changes_the_csrf_header(client):
    document = client.get("/api/openapi.json").json
    schemes = document["components"]["securitySchemes"]
    assert (schemes["session"]["in"], schemes["session"]["name"]) == ("cookie", "antrian_session")
    assert (schemes["csrf"]["in"], schemes["csrf"]["name"]) == ("header", "X-CSRFToken")
    paths = document["paths"]
    assert paths["/api/counters/{counter_id}/call-next"]["post"]["security"] == [{"session": [], "csrf": []}]
    assert paths["/api/session"]["get"]["security"] == [{"session": []}]
    assert paths["/api/visits"]["post"]["security"] == []


def test_every_error_answer_is_described_by_the_error_schema(client):
    document = client.get("/api/openapi.json").json
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert answer == {"$ref": f"#/components/responses/E{status}"}, (method, path, status)
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message"] and error["additionalProperties"] is False
