"""The OpenAPI schema is valid and the API keeps to it (schemathesis, bounded
to a few examples per operation so the run stays short)."""

import re
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from api.tokens import token_create
from gallery.limits import UPLOAD_REJECTIONS

pytestmark = pytest.mark.django_db


# Loaded once at collection: generating the schema needs no database.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application()
)


@pytest.fixture(autouse=True)
def connection_kept_through_requests():
    """The WSGI app closes the database connection after each request; inside
    a test's transaction on PostgreSQL that ends the test's connection (an
    in-memory SQLite one is never closed). Django's test client detaches the
    same handler for the same reason."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(user, make_image):
    make_image(user, title="a public sunset")
    make_image(user, title="a private sunrise", visibility="private")
    _, key = token_create(user=user)
    return {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same examples every run: no flaky CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_keeps_to_its_schema(case, bearer):
    # Every other check runs (no 5xx, documented statuses, content types and
    # bodies, bad input refused, auth enforced). positive_data_acceptance
    # assumes any schema-valid input succeeds, which opaque cursors and image
    # files (random bytes are not images) make untrue by design.
    excluded = [positive_data_acceptance]
    if case.media_type == "multipart/form-data":
        # Multipart fields are text: a "non-string" description arrives as a
        # string, so schemathesis's schema-violating bodies are valid there.
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers=bearer, excluded_checks=excluded)


def test_schema_documents_bearer_tokens(client):
    schema = client.get("/api/schema/?format=json").json()
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/api/v1/images/check-hashes/" in schema["paths"]


def test_docs_page_uses_shipped_assets_and_no_inline_code(client):
    page = client.get("/api/docs/").content.decode()
    assert (
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    )
    assert "<script>" not in page and "<style" not in page
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


@pytest.mark.parametrize("method", ["options", "post", "put", "delete"])
def test_the_docs_page_answers_other_methods_without_an_error(client, method):
    response = getattr(client, method)("/api/docs/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_schema_names_every_code_the_services_answer_with(client):
    components = client.get("/api/schema/?format=json").json()["components"]
    error_codes = set(components["schemas"]["ErrorCodeEnum"]["enum"])
    outcome_codes = set(components["schemas"]["OutcomeCodeEnum"]["enum"])
    services = Path(__file__).resolve().parents[2] / "gallery" / "services"
    raised = {"upload_rate_limited"}  # by name, as services.allowance.RATE_LIMITED
    for source in [*services.glob("*.py"), services.parent / "limits.py"]:
        raised |= set(re.findall(r'code\s*=\s*"(\w+)"', source.read_text()))
    # A duplicate's outcome codes are set the same way (services.uploads).
    outcomes = {"created", "duplicate", "duplicate_now_private", "restored"}
    assert raised - outcomes <= error_codes
    assert set(UPLOAD_REJECTIONS) <= outcome_codes
    assert outcomes <= outcome_codes


def test_schema_lists_the_statuses_each_operation_answers(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    image = paths["/api/v1/images/{id}/"]["patch"]["responses"]
    check = paths["/api/v1/images/check-hashes/"]["post"]["responses"]
    upload = paths["/api/v1/images/"]["post"]["responses"]
    assert "415" in image and "415" in check and "415" in upload
    rejected = upload["400"]["content"]["application/json"]["schema"]["$ref"]
    assert rejected.endswith("/UploadRejected")
    remove = paths["/api/v1/links/{id}/"]["delete"]["responses"]
    assert sorted(remove) == ["204", "400", "401", "404", "429"]
    assert "link_open" in remove["400"]["description"]
