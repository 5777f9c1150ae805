"""Reading import files into raw rows: a folder of CSV files, one CSV file or one JSON file.

Each raw row keeps the line it starts on, so every later problem can say `file:line: column: ...`.
"""

from __future__ import annotations

import bisect
import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from storage.errors import BadInput, ImportFailed
from storage.import_rows import ENTITIES, ENTITY_BY_NAME, Entity


@dataclass
class SourceRows:
    """Raw rows of one entity as read from one file, each with the line it starts on."""

    entity: Entity
    label: str
    columns: set[str]
    rows: list[tuple[int, dict[str, Any]]]


def read_sources(path: Path) -> tuple[list[SourceRows], list[str]]:
    """The rows under `path`, in write order, and the names of files or keys that were skipped."""
    if not path.exists():
        raise BadInput(f"nothing to import at {path}")
    if path.is_dir():
        files = {child.name.lower(): child for child in sorted(path.iterdir()) if child.is_file()}
        known = {entity.filename for entity in ENTITIES}
        sources = [
            _read_csv(files[entity.filename], entity) for entity in ENTITIES if entity.filename in files
        ]
        ignored = [child.name for name, child in files.items() if name.endswith(".csv") and name not in known]
        if not sources:
            expected = ", ".join(entity.filename for entity in ENTITIES)
            raise BadInput(f"{path} has none of the import files ({expected})")
        return sources, ignored
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _read_json(path)
    if suffix == ".csv" and path.stem.lower() in ENTITY_BY_NAME:
        return [_read_csv(path, ENTITY_BY_NAME[path.stem.lower()])], []
    raise BadInput(
        f"cannot import {path.name}: give a folder of CSV files (customers.csv, contacts.csv, ...) "
        "or one JSON file"
    )


def _read_csv(path: Path, entity: Entity) -> SourceRows:
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            try:
                header = [name.strip().lower() for name in next(reader, list[str]())]
                start = reader.line_num + 1
                for record in reader:
                    # The line a record starts on, even when a quoted cell spans several lines.
                    if any(cell.strip() for cell in record):
                        rows.append((start, dict(zip(header, record, strict=False))))
                    start = reader.line_num + 1
            except csv.Error as error:
                raise ImportFailed([f"{path.name}:{reader.line_num}: file: unreadable CSV ({error})"]) from error
    except UnicodeDecodeError as error:
        raise ImportFailed([f"{path.name}:1: file: not UTF-8 text ({error.reason})"]) from error
    return SourceRows(entity, path.name, set(header), rows)


def _read_json(path: Path) -> tuple[list[SourceRows], list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
        document = json.loads(text)
    except UnicodeDecodeError as error:
        raise ImportFailed([f"{path.name}:1: file: not UTF-8 text ({error.reason})"]) from error
    except json.JSONDecodeError as error:
        raise ImportFailed([f"{path.name}:{error.lineno}: file: not valid JSON ({error.msg})"]) from error
    if not isinstance(document, dict):
        raise ImportFailed([f'{path.name}:1: file: expected an object with keys like "customers"'])
    keyed = cast(dict[str, object], document)  # JSON object keys are strings
    lines = _element_lines(text)
    sources: list[SourceRows] = []
    problems: list[str] = []
    for entity in ENTITIES:
        items = keyed.get(entity.name)
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(f"{path.name}:1: {entity.name}: expected a list of objects")
            continue
        elements = cast(list[object], items)
        rows: list[tuple[int, dict[str, Any]]] = []
        columns: set[str] = set()
        for item, line in zip(elements, lines.get(entity.name, []), strict=True):
            if not isinstance(item, dict):
                problems.append(f"{path.name}:{line}: {entity.name}: expected an object")
                continue
            fields = cast(dict[str, object], item)
            row = {key.strip().lower(): value for key, value in fields.items()}
            columns.update(row)
            rows.append((line, row))
        sources.append(SourceRows(entity, path.name, columns, rows))
    if problems:
        raise ImportFailed(problems)
    if not sources:
        expected = ", ".join(entity.name for entity in ENTITIES)
        raise BadInput(f"{path.name} has none of the import keys ({expected})")
    return sources, [key for key in keyed if key not in ENTITY_BY_NAME]


_WHITESPACE = re.compile(r"\s*")


def _element_lines(text: str) -> dict[str, list[int]]:
    """The line each element of each top-level list starts on (the text is known to be valid JSON)."""
    decoder = json.JSONDecoder()
    newlines = [index for index, char in enumerate(text) if char == "\n"]

    def skip(index: int) -> int:
        match = _WHITESPACE.match(text, index)  # `\s*` always matches
        return match.end() if match else index

    result: dict[str, list[int]] = {}
    index = skip(0) + 1  # past "{"
    while True:
        index = skip(index)
        if text[index] == "}":
            return result
        if text[index] == ",":
            index = skip(index + 1)
        key, index = decoder.raw_decode(text, index)
        index = skip(skip(index) + 1)  # past ":"
        if text[index] != "[":
            _, index = decoder.raw_decode(text, index)
            continue
        index += 1
        starts: list[int] = []
        while True:
            index = skip(index)
            if text[index] == "]":
                index += 1
                break
            if text[index] == ",":
                index = skip(index + 1)
            starts.append(bisect.bisect_left(newlines, index) + 1)
            _, index = decoder.raw_decode(text, index)
        result[str(key).strip().lower()] = starts
