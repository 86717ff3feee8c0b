"""The label schema: the default one, and validation that names the wrong field.

A schema is JSON:
    {"version": 1,
     "labels": [{"name", "color", "hotkey", "enabled", "underline", "attributes": [...]}],
     "relations": [{"name", "from": [labels], "to": [labels], "symmetric": bool}]}
An attribute is {"name", "type": "enum", "values": [...]} or {"name", "type": "text",
"max_length": n}.
"""

import re
from typing import Any

from annotations.agreement.types import MOST_LABELS

RESERVED_KEYS = frozenset("jklru[]{}?")
UNDERLINE_STYLES = ("solid", "double", "dotted", "dashed", "wavy")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
TEXT_ATTRIBUTE_MAX = 500


class SchemaError(ValueError):
    """A schema problem, with the path of the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _enum(name: str, values: list[str]) -> dict[str, Any]:
    return {"name": name, "type": "enum", "values": values}


def _text(name: str) -> dict[str, Any]:
    return {"name": name, "type": "text", "max_length": 200}


def default_schema() -> dict[str, Any]:
    return {
        "version": 1,
        "labels": [
            {
                "name": "claim",
                "color": "#e8590c",
                "hotkey": "c",
                "enabled": True,
                "underline": "solid",
                "attributes": [
                    _enum("check_worthiness", ["check_worthy", "not_check_worthy", "not_factual"]),
                    _enum("quote_type", ["direct", "indirect", "none"]),
                ],
            },
            {
                "name": "denial",
                "color": "#1c7ed6",
                "hotkey": "d",
                "enabled": True,
                "underline": "double",
                "attributes": [
                    _enum(
                        "denial_kind",
                        ["flat_denial", "correction", "non_denial", "refusal_to_comment"],
                    ),
                ],
            },
            {
                "name": "attribution",
                "color": "#2f9e44",
                "hotkey": "a",
                "enabled": True,
                "underline": "dotted",
                "attributes": [
                    _enum(
                        "source_type",
                        [
                            "named_person",
                            "named_organization",
                            "anonymous",
                            "document_or_data",
                            "media_outlet",
                        ],
                    ),
                    _text("speaker_name"),
                    _text("speaker_role"),
                ],
            },
            {
                "name": "cue",
                "color": "#ae3ec9",
                "hotkey": "v",
                "enabled": False,
                "underline": "dashed",
                "attributes": [],
            },
        ],
        "relations": [
            {
                "name": "attributed_to",
                "from": ["claim", "denial"],
                "to": ["attribution"],
                "symmetric": False,
            },
            {"name": "denies", "from": ["denial"], "to": ["claim"], "symmetric": False},
            {"name": "same_claim_as", "from": ["claim"], "to": ["claim"], "symmetric": True},
        ],
    }


def default_rating_scale() -> list[dict[str, Any]]:
    return [
        {"name": "False", "value": 1},
        {"name": "Mostly false", "value": 2},
        {"name": "Half true", "value": 3},
        {"name": "Mostly true", "value": 4},
        {"name": "True", "value": 5},
        {"name": "Unverifiable", "value": None},
    ]


def _require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise SchemaError(field, message)


def _validate_attribute(attribute: Any, field: str) -> None:
    _require(isinstance(attribute, dict), field, "must be an object")
    name = attribute.get("name")
    _require(
        isinstance(name, str) and bool(NAME_RE.match(name)),
        f"{field}.name",
        "must be lower-case letters, digits and underscores, starting with a letter",
    )
    kind = attribute.get("type")
    _require(kind in ("enum", "text"), f"{field}.type", 'must be "enum" or "text"')
    if kind == "enum":
        values = attribute.get("values")
        _require(
            isinstance(values, list)
            and len(values) > 0
            and all(isinstance(v, str) and v for v in values),
            f"{field}.values",
            "must be a non-empty list of non-empty strings",
        )
        _require(len(set(values)) == len(values), f"{field}.values", "must not repeat a value")
    else:
        max_length = attribute.get("max_length", TEXT_ATTRIBUTE_MAX)
        _require(
            isinstance(max_length, int) and 1 <= max_length <= TEXT_ATTRIBUTE_MAX,
            f"{field}.max_length",
            f"must be an integer from 1 to {TEXT_ATTRIBUTE_MAX}",
        )


def _validate_label(label: Any, field: str) -> None:
    _require(isinstance(label, dict), field, "must be an object")
    name = label.get("name")
    _require(
        isinstance(name, str) and bool(NAME_RE.match(name)),
        f"{field}.name",
        "must be lower-case letters, digits and underscores, starting with a letter",
    )
    _require(
        isinstance(label.get("color"), str) and bool(COLOR_RE.match(label["color"])),
        f"{field}.color",
        "must be a colour like #1c7ed6",
    )
    hotkey = label.get("hotkey")
    _require(
        isinstance(hotkey, str) and len(hotkey) == 1 and hotkey.isprintable() and hotkey != " ",
        f"{field}.hotkey",
        "must be a single printable character",
    )
    _require(
        hotkey not in RESERVED_KEYS and hotkey.lower() not in RESERVED_KEYS,
        f"{field}.hotkey",
        f'"{hotkey}" is reserved by the annotation page (reserved: j k l r u [ ] {{ }} ?)',
    )
    _require(isinstance(label.get("enabled", True), bool), f"{field}.enabled", "must be boolean")
    _require(
        label.get("underline", "solid") in UNDERLINE_STYLES,
        f"{field}.underline",
        f"must be one of {', '.join(UNDERLINE_STYLES)}",
    )
    attributes = label.get("attributes", [])
    _require(isinstance(attributes, list), f"{field}.attributes", "must be a list")
    seen: set[str] = set()
    for index, attribute in enumerate(attributes):
        _validate_attribute(attribute, f"{field}.attributes[{index}]")
        _require(
            attribute["name"] not in seen,
            f"{field}.attributes[{index}].name",
            f'"{attribute["name"]}" is defined twice',
        )
        seen.add(attribute["name"])


def validate_schema(schema: Any) -> dict[str, Any]:
    """Return the schema with defaults filled in, or raise SchemaError naming the field."""
    _require(isinstance(schema, dict), "label_schema", "must be a JSON object")
    labels = schema.get("labels")
    _require(
        isinstance(labels, list) and len(labels) > 0,
        "label_schema.labels",
        "must be a non-empty list",
    )
    _require(
        len(labels) <= MOST_LABELS,
        "label_schema.labels",
        f"has {len(labels)} labels; a schema has at most {MOST_LABELS} (agreement names a "
        "stretch of text by the set of labels covering it)",
    )
    names: set[str] = set()
    hotkeys: dict[str, str] = {}
    for index, label in enumerate(labels):
        field = f"label_schema.labels[{index}]"
        _validate_label(label, field)
        _require(label["name"] not in names, f"{field}.name", f'"{label["name"]}" is defined twice')
        names.add(label["name"])
        if label.get("enabled", True):
            key = label["hotkey"].lower()
            _require(
                key not in hotkeys,
                f"{field}.hotkey",
                f'"{label["hotkey"]}" is already the hotkey of "{hotkeys.get(key)}"',
            )
            hotkeys[key] = label["name"]
    _require(bool(hotkeys), "label_schema.labels", "at least one label must be enabled")
    relations = schema.get("relations", [])
    _require(isinstance(relations, list), "label_schema.relations", "must be a list")
    relation_names: set[str] = set()
    for index, relation in enumerate(relations):
        field = f"label_schema.relations[{index}]"
        _require(isinstance(relation, dict), field, "must be an object")
        name = relation.get("name")
        _require(
            isinstance(name, str) and bool(NAME_RE.match(name)),
            f"{field}.name",
            "must be lower-case letters, digits and underscores, starting with a letter",
        )
        _require(name not in relation_names, f"{field}.name", f'"{name}" is defined twice')
        relation_names.add(name)
        for end in ("from", "to"):
            ends = relation.get(end)
            _require(
                isinstance(ends, list) and len(ends) > 0,
                f"{field}.{end}",
                "must be a non-empty list of label names",
            )
            for label_name in ends:
                _require(
                    label_name in names,
                    f"{field}.{end}",
                    f'"{label_name}" is not a label of this schema',
                )
        _require(
            isinstance(relation.get("symmetric", False), bool),
            f"{field}.symmetric",
            "must be boolean",
        )
    return {
        "version": schema.get("version", 1),
        "labels": [
            {
                "name": label["name"],
                "color": label["color"],
                "hotkey": label["hotkey"],
                "enabled": label.get("enabled", True),
                "underline": label.get("underline", "solid"),
                "attributes": [dict(a) for a in label.get("attributes", [])],
            }
            for label in labels
        ],
        "relations": [
            {
                "name": r["name"],
                "from": list(r["from"]),
                "to": list(r["to"]),
                "symmetric": r.get("symmetric", False),
            }
            for r in relations
        ],
    }


def label_definition(schema: dict[str, Any], name: str) -> dict[str, Any] | None:
    for label in schema["labels"]:
        if label["name"] == name:
            return label
    return None


def enabled_label_names(schema: dict[str, Any]) -> list[str]:
    return [label["name"] for label in schema["labels"] if label.get("enabled", True)]


def relation_definition(schema: dict[str, Any], name: str) -> dict[str, Any] | None:
    for relation in schema.get("relations", []):
        if relation["name"] == name:
            return relation
    return None


def relation_allowed(relation: dict[str, Any], from_label: str, to_label: str) -> bool:
    if from_label in relation["from"] and to_label in relation["to"]:
        return True
    return bool(
        relation.get("symmetric") and to_label in relation["from"] and from_label in relation["to"]
    )


def attribute_errors(label: dict[str, Any], attributes: Any) -> list[tuple[str, str]]:
    """Return (field, message) for every attribute value the label's definition refuses."""
    if not isinstance(attributes, dict):
        return [("attributes", "must be a JSON object of attribute name to value")]
    definitions = {a["name"]: a for a in label.get("attributes", [])}
    errors: list[tuple[str, str]] = []
    for name, value in attributes.items():
        definition = definitions.get(name)
        field = f"attributes.{name}"
        if definition is None:
            allowed = ", ".join(sorted(definitions)) or "none"
            errors.append(
                (
                    field,
                    f"“{name}” is not an attribute of label “{label['name']}” (allowed: {allowed})",
                )
            )
        elif value is None:
            continue
        elif definition["type"] == "enum" and value not in definition["values"]:
            errors.append(
                (
                    field,
                    f"“{value}” is not a value of {name} "
                    f"(allowed: {', '.join(definition['values'])})",
                )
            )
        elif definition["type"] == "text" and (
            not isinstance(value, str) or len(value) > definition.get("max_length", 500)
        ):
            errors.append(
                (field, f"must be text of at most {definition.get('max_length', 500)} characters")
            )
    return errors
