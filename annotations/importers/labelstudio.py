"""Label Studio JSON tasks: `data.text`, and the predictions (Label Studio's pre-annotations)
or else one annotation, with `labels` regions, per-region `choices`/`textarea` attributes and
`relation` results. Offsets may count UTF-16 units (Label Studio before 1.4): resolved by
the quote (see `offsets.resolve_span`)."""

import json
from typing import Any

from annotations.importers.base import (
    CODE_POINTS_OR_UTF16,
    ArticleIn,
    RelationIn,
    Row,
    Rows,
    SpanIn,
    row_error,
)
from annotations.importers.formats import article_fields
from annotations.importers.sources import SourceFile


def _labelstudio_text(data: dict[str, Any]) -> tuple[str | None, str | None]:
    if isinstance(data.get("text"), str):
        return "text", data["text"]
    for key, value in data.items():
        if isinstance(value, str) and value.strip():
            return key, value
    return None, None


def _labelstudio_results(task: dict[str, Any], article: ArticleIn) -> list[dict[str, Any]]:
    """Predictions are Label Studio's pre-annotations; without them, one annotation."""
    for prediction in task.get("predictions") or []:
        if isinstance(prediction, dict) and prediction.get("result"):
            return [r for r in prediction["result"] if isinstance(r, dict)]
    annotations = [
        a
        for a in task.get("annotations") or task.get("completions") or []
        if isinstance(a, dict) and not a.get("was_cancelled") and a.get("result")
    ]
    if len(annotations) > 1:
        article.warnings.append(
            f"has {len(annotations)} annotations; the first was imported as pre-annotations"
        )
    return [r for r in annotations[0]["result"] if isinstance(r, dict)] if annotations else []


def article_from_labelstudio(task: Any, where: str, source: str, line: int) -> Row:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        return row_error(
            source,
            where,
            line,
            "not_a_task",
            f"{source}, {where}: is not a Label Studio task (an object with “data”).",
        )
    data = task["data"]
    key, text = _labelstudio_text(data)
    if not text or not text.strip():
        return row_error(
            source,
            where,
            line,
            "missing_text",
            f"{source}, {where}: has no text in “data” (data.text).",
        )
    article = article_fields({k: v for k, v in data.items() if k != key}, text)
    if task.get("id") is not None:
        article.metadata.setdefault("source_id", task["id"])
    article.offsets = CODE_POINTS_OR_UTF16
    regions: dict[str, SpanIn] = {}
    extras: list[dict[str, Any]] = []
    for result in _labelstudio_results(task, article):
        value = result.get("value") or {}
        kind = result.get("type")
        if kind == "labels" and isinstance(value, dict):
            for label in value.get("labels") or []:
                span = SpanIn(
                    label=str(label),
                    start=value.get("start"),  # type: ignore[arg-type]
                    end=value.get("end"),  # type: ignore[arg-type]
                    quote=value.get("text") if isinstance(value.get("text"), str) else None,
                    key=str(result.get("id")),
                )
                regions.setdefault(span.key or "", span)
                article.spans.append(span)
        elif kind == "relation":
            labels = result.get("labels") or []
            if isinstance(labels, str):
                labels = [labels]
            if not isinstance(labels, list) or not labels:
                article.warnings.append("a relation has no label; skipped")
                continue
            article.relations.append(
                RelationIn(str(labels[0]), str(result.get("from_id")), str(result.get("to_id")))
            )
        else:
            extras.append(result)
    for result in extras:
        region = regions.get(str(result.get("id")))
        value = result.get("value") or {}
        name = str(result.get("from_name", ""))
        if region is None or not isinstance(value, dict):
            continue
        if result.get("type") == "choices" and value.get("choices"):
            region.attributes[name] = value["choices"][0]
        elif result.get("type") == "textarea" and value.get("text"):
            text_value = value["text"]
            region.attributes[name] = text_value[0] if isinstance(text_value, list) else text_value
    return Row(source=source, where=where, line=line, article=article)


def labelstudio_tasks(source: SourceFile) -> list[Any] | Row:
    """The file's tasks, or the row that says why it cannot be read."""
    try:
        tasks = json.loads(source.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return row_error(
            source.name,
            "file",
            1,
            "not_utf8",
            f"{source.name}: is not UTF-8 ({exc.reason}); save it as UTF-8.",
        )
    except json.JSONDecodeError as exc:
        return row_error(
            source.name,
            f"line {exc.lineno}",
            exc.lineno,
            "invalid_json",
            f"{source.name}, line {exc.lineno}: is not valid JSON ({exc.msg} at column "
            f"{exc.colno}).",
        )
    return tasks if isinstance(tasks, list) else [tasks]


def read_labelstudio(tasks: list[Any] | Row, name: str) -> Rows:
    if isinstance(tasks, Row):
        yield tasks
        return
    for index, task in enumerate(tasks, start=1):
        yield article_from_labelstudio(task, f"task {index}", name, index)
