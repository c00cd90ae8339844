"""Filling an exported list the way the police or the provider would, with openpyxl."""

import io
from pathlib import Path
from typing import Any

import openpyxl

from asxh.verification.logic import ACCOUNT_COLUMNS, IDENTITY_COLUMNS, Column, column_map


def _sheet_columns(sheet: Any, columns: tuple[Column, ...]) -> tuple[int, dict[str, int]]:
    for row in sheet.iter_rows():
        where = column_map([c.value for c in row], columns)
        if "ref" in where:
            return row[0].row, where
    raise AssertionError("no header row")


def fill(
    path: Path,
    answers: dict[int, dict[str, Any]],
    *,
    checked_on: str | None = None,
    kind: str = "identity",
    extra_rows: list[dict[str, Any]] | None = None,
) -> bytes:
    """Write `answers` ({reference: {column key: value}}) into the exported file; return bytes."""
    columns = IDENTITY_COLUMNS if kind == "identity" else ACCOUNT_COLUMNS
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header_row, where = _sheet_columns(sheet, columns)
    if checked_on is not None:
        for row in sheet.iter_rows(max_row=header_row):
            if row[0].value == "Ngày xác minh":
                sheet.cell(row=row[0].row, column=3, value=checked_on)
    last = header_row
    for row in sheet.iter_rows(min_row=header_row + 2):
        last = row[0].row
        ref = row[where["ref"]].value
        for key, value in answers.get(ref, {}).items():
            sheet.cell(row=last, column=where[key] + 1, value=value)
    for extra in extra_rows or []:
        last += 1
        for key, value in extra.items():
            sheet.cell(row=last, column=where[key] + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def data_rows(path: Path, kind: str = "identity") -> list[dict[str, Any]]:
    columns = IDENTITY_COLUMNS if kind == "identity" else ACCOUNT_COLUMNS
    sheet = openpyxl.load_workbook(path).active
    header_row, where = _sheet_columns(sheet, columns)
    rows = []
    for row in sheet.iter_rows(min_row=header_row + 2, values_only=True):
        rows.append({key: row[index] for key, index in where.items()})
    return rows
