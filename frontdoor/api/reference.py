"""The readable API reference, /api/v1/docs: rendered on the server from the generated
OpenAPI document (so every operation added to the API appears here with no change), in
the portal's own GOV.UK Frontend style, under its strict CSP, working without JavaScript.
docs/api.md says why no OpenAPI viewer library (they all need JavaScript and inline
styles).

The schema does not change while the portal runs: the page is built once a process.
"""

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from frontdoor.api.views import api

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DEPTH = 8  # nested schemas shown this deep at most (a recursive schema stops here)


@dataclass
class Node:
    """One schema, as a reader sees it: its type in words and what it holds."""

    type: str
    description: str = ""
    constraints: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    properties: list["Property"] = field(default_factory=list)


@dataclass
class Property:
    name: str
    required: bool
    node: Node


@dataclass
class Parameter:
    name: str
    where: str
    required: bool
    description: str
    node: Node


@dataclass
class Content:
    media_type: str
    node: Node | None


@dataclass
class Response:
    status: str
    description: str
    content: list[Content]
    headers: list[Parameter]


@dataclass
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Parameter]
    body: list[Content]
    body_required: bool
    responses: list[Response]
    auth: bool


class Reader:
    """Turns the OpenAPI document's schemas into Nodes, following $refs."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.components = document.get("components", {}).get("schemas", {})

    def node(self, schema: dict[str, Any] | None, seen: tuple[str, ...] = ()) -> Node:
        schema = schema or {}
        name = ""
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            target = self.components.get(name, {})
            # Annotations beside the $ref (a property's description) win over the target's.
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            if name in seen or len(seen) >= DEPTH:
                return Node(type=name, description=schema.get("description", ""))
            seen = (*seen, name)
        node = Node(
            type=self.type_of(schema, name),
            description=schema.get("description", ""),
            constraints=self.constraints(schema),
            examples=[_show(e) for e in schema.get("examples", [])]
            + ([_show(schema["example"])] if "example" in schema else []),
        )
        held = self.holder(schema)
        if held is not None and (held[1] not in seen or not held[1]):
            inner, name = held
            seen = (*seen, name) if name else seen
            required = set(inner.get("required", []))
            node.properties = [
                Property(key, key in required, self.node(sub, seen))
                for key, sub in inner.get("properties", {}).items()
            ]
            extra = inner.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                node.properties.append(Property("(any name)", False, self.node(extra, seen)))
        return node

    def holder(self, schema: dict[str, Any], name: str = "") -> tuple[dict[str, Any], str] | None:
        """The object schema whose properties this one shows (and its name, if a $ref):
        itself, its array's items, or the one object of an anyOf/oneOf with null."""
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.resolve(schema)
        if "properties" in schema or isinstance(schema.get("additionalProperties"), dict):
            return schema, name
        if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            return self.holder(schema["items"])
        options = [s for s in schema.get("anyOf", schema.get("oneOf", [])) if s]
        objects = [s for s in options if self.resolve(s).get("type") != "null"]
        if len(objects) == 1:
            return self.holder(objects[0])
        return None

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in schema:
            found: dict[str, Any] = self.components.get(schema["$ref"].rsplit("/", 1)[-1], {})
            return found
        return schema

    def type_of(self, schema: dict[str, Any], name: str = "") -> str:
        if "$ref" in schema:
            return str(schema["$ref"]).rsplit("/", 1)[-1]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.type_of(option) for option in schema[key]]
                return " or ".join(dict.fromkeys(options))
        if "allOf" in schema:
            return " and ".join(self.type_of(option) for option in schema["allOf"])
        kind = schema.get("type", "")
        if isinstance(kind, list):
            return " or ".join(str(k) for k in kind)
        kind = str(kind)
        if kind == "array":
            return f"array of {self.type_of(schema.get('items', {}))}"
        if "const" in schema:
            return f"{kind or 'value'} {_show(schema['const'])}".strip()
        words: str = kind or ("object" if "properties" in schema else "any value")
        if "format" in schema:
            words = f"{words} ({schema['format']})"
        if name and kind == "object":
            words = f"{name} (object)"
        return words

    @staticmethod
    def constraints(schema: dict[str, Any]) -> list[str]:
        said = []
        if "enum" in schema:
            said.append("one of " + ", ".join(_show(v) for v in schema["enum"]))
        for key, words in (
            ("minLength", "at least {} characters"),
            ("maxLength", "at most {} characters"),
            ("minimum", "at least {}"),
            ("maximum", "at most {}"),
            ("pattern", "matching {}"),
            ("default", "default {}"),
        ):
            if key in schema:
                value = schema[key] if key != "default" else _show(schema[key])
                said.append(words.format(value))
        for option in schema.get("anyOf", []):
            said.extend(Reader.constraints(option) if isinstance(option, dict) else [])
        return said


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _contents(reader: Reader, content: dict[str, Any]) -> list[Content]:
    return [
        Content(media_type, reader.node(spec["schema"]) if spec.get("schema") else None)
        for media_type, spec in content.items()
    ]


def operations(document: dict[str, Any]) -> list[Operation]:
    """Every operation of an OpenAPI document, in its order."""
    reader = Reader(document)
    secured = bool(document.get("security"))
    found = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            parameters = [
                Parameter(
                    name=p["name"],
                    where=p["in"],
                    required=bool(p.get("required")),
                    description=p.get("description", ""),
                    node=reader.node(p.get("schema")),
                )
                for p in [*item.get("parameters", []), *spec.get("parameters", [])]
            ]
            body = spec.get("requestBody") or {}
            responses = [
                Response(
                    status=str(status),
                    description=answer.get("description", ""),
                    content=_contents(reader, answer.get("content", {})),
                    headers=[
                        Parameter(
                            name=header,
                            where="header",
                            required=bool(h.get("required")),
                            description=h.get("description", ""),
                            node=reader.node(h.get("schema")),
                        )
                        for header, h in answer.get("headers", {}).items()
                    ],
                )
                for status, answer in spec.get("responses", {}).items()
            ]
            found.append(
                Operation(
                    anchor=spec.get("operationId") or f"{method}-{path}",
                    method=method.upper(),
                    path=path,
                    summary=spec.get("summary", ""),
                    description=spec.get("description", ""),
                    parameters=parameters,
                    body=_contents(reader, body.get("content", {})),
                    body_required=bool(body.get("required")),
                    responses=responses,
                    auth=bool(spec.get("security", secured)),
                )
            )
    return found


def schemes(document: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "name": name,
            "type": spec.get("type", ""),
            "scheme": spec.get("scheme", ""),
            "description": spec.get("description", ""),
        }
        for name, spec in document.get("components", {}).get("securitySchemes", {}).items()
    ]


@functools.cache
def context() -> dict[str, Any]:
    document = api.get_openapi_schema()
    return {
        "info": document.get("info", {}),
        "operations": operations(document),
        "schemes": schemes(document),
        "schema_url": reverse("api:openapi-json"),
    }


def reference(request: HttpRequest) -> HttpResponse:
    """The readable reference page: public, like the schema itself."""
    return TemplateResponse(request, "api/reference.html", context())
