"""The readable reference page, /api/v1/docs: public, made from the served schema (every
operation in it appears, so a new endpoint does with no change to the page), with each
operation's parameters, body and responses as nested lists of typed properties."""

import re
from html import unescape

import pytest

from frontdoor.api import reference

pytestmark = pytest.mark.django_db

DOCS = "/api/v1/docs"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_page_lists_every_operation_of_the_served_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    response = client.get(DOCS)  # no token: public, like the schema
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    page = text_of(html)
    operations = [
        (method, path, spec)
        for path, methods in schema["paths"].items()
        for method, spec in methods.items()
    ]
    assert len(operations) >= 2
    for method, path, spec in operations:
        assert f'id="{spec["operationId"]}"' in html
        assert f"{method.upper()} {path}" in page
        assert spec["summary"] in page
        for status in spec["responses"]:
            assert f" {status} " in page, (path, status)
        for parameter in spec.get("parameters", []):
            assert parameter["name"] in page
    assert 'href="/api/v1/openapi.json"' in html
    assert "Authorization: Bearer <token>" in page


def test_a_schema_is_a_nested_list_of_typed_properties(client):
    page = text_of(client.get(DOCS).content.decode())
    # The list's answer: its items' properties, nested, with types and what is required.
    assert "items required : array of ReferralSummary" in page
    assert 'reference required : string Example: "FD-2026-000123"' in page
    assert "slug required : string" in page  # form, inside an item: two levels down
    assert "updated_since (in query): string (date-time) or null" in page
    assert "application/problem+json : Problem (object)" in page


def test_bodies_enums_and_recursive_schemas_are_shown():
    document = {
        "paths": {
            "/things/{id}": {
                "post": {
                    "operationId": "make",
                    "summary": "Make",
                    "parameters": [{"in": "path", "name": "id", "required": True}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Tree"}}
                        },
                    },
                    "responses": {"201": {"description": "Made"}},
                }
            }
        },
        "components": {
            "schemas": {
                "Tree": {
                    "type": "object",
                    "required": ["colour"],
                    "properties": {
                        "colour": {"enum": ["red", "green"], "type": "string"},
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Tree"},
                        },
                    },
                }
            }
        },
    }
    [made] = reference.operations(document)
    assert (made.method, made.path, made.body_required) == ("POST", "/things/{id}", True)
    [body] = made.body
    assert body.node is not None
    colour, children = body.node.properties
    assert (colour.name, colour.required, colour.node.constraints) == (
        "colour",
        True,
        ['one of "red", "green"'],
    )
    assert children.node.type == "array of Tree"
    # The tree inside itself is named, not expanded again for ever.
    assert [p.name for p in children.node.properties] == []
    assert made.responses[0].content == []
