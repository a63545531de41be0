"""The user import CSV: the header GetCSVHeader gives a pool, and a file read into rows to import or
refuse, each with its reason. Pure: no store, no clock (import_jobs.py applies the rows)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from emulator.model import UserPool

# GetCSVHeader's columns for the standard attributes, in AWS's order (developer guide, "Creating the user
# import .csv file", its example header). The pool's custom attributes follow `updated_at` (UNCONFIRMED place).
STANDARD_COLUMNS = ("name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
                    "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
                    "phone_number", "phone_number_verified", "address", "updated_at")
USERNAME = "cognito:username"
MFA_ENABLED = "cognito:mfa_enabled"
BOOLEAN_COLUMNS = ("email_verified", "phone_number_verified", MFA_ENABLED)


def csv_header(pool: UserPool) -> list[str]:
    """GetCSVHeader's CSVHeader for `pool`."""
    custom = [a.name for a in pool.custom_attributes]
    return [*STANDARD_COLUMNS, *custom, MFA_ENABLED, USERNAME]


@dataclass(frozen=True)
class ImportRow:
    """One user to import: the username, attributes (empty cells left out) and whether SMS MFA is on."""

    line: int
    username: str
    attributes: dict[str, str]
    mfa_enabled: bool


@dataclass
class ParsedFile:
    """A file read against the pool's header: its rows, the rows refused with their reasons, or why the
    whole file was refused."""

    rows: list[ImportRow] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    problem: str | None = None


def parse(data: bytes, header: list[str]) -> ParsedFile:
    """Read an uploaded CSV: its header must name columns of `header` (every column of it, in any order, as
    the developer guide says the file must carry them), then one user per line."""
    parsed = ParsedFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.problem = "the file is not UTF-8 text"
        return parsed
    try:
        return _parse_rows(csv.reader(io.StringIO(text)), header, parsed)
    except csv.Error as exc:  # a cell past csv's field size limit
        parsed.problem = f"the file is not readable CSV: {exc}"
        return parsed


def _parse_rows(reader: Iterator[list[str]], header: list[str], parsed: ParsedFile) -> ParsedFile:
    columns = next(reader, None)
    if not columns:
        parsed.problem = "the file is empty; its first line must be the header GetCSVHeader returns"
        return parsed
    columns = [c.strip() for c in columns]
    unknown = [c for c in columns if c not in header]
    missing = [c for c in header if c not in columns]
    if unknown or missing:
        parsed.problem = ("the header does not match GetCSVHeader's: " +
                          "; ".join(part for part in (f"unknown columns {unknown}" if unknown else "",
                                                      f"missing columns {missing}" if missing else "") if part))
        return parsed
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row, why = _row(line, columns, cells)
        if row is None:
            parsed.refused.append((line, why))
        else:
            parsed.rows.append(row)
    return parsed


def _row(line: int, columns: list[str], cells: list[str]) -> tuple[ImportRow | None, str]:
    if len(cells) != len(columns):
        return None, f"line {line} has {len(cells)} cells for {len(columns)} columns"
    values = {c: v.strip() for c, v in zip(columns, cells, strict=True)}
    username = values.pop(USERNAME, "")
    if not username:
        return None, f"line {line} has no {USERNAME}"
    for name in BOOLEAN_COLUMNS:
        if values.get(name) and values[name].lower() not in ("true", "false"):
            return None, f"line {line}: {name} must be true or false, not '{values[name]}'"
    mfa_enabled = values.pop(MFA_ENABLED, "").lower() == "true"
    if mfa_enabled and not values.get("phone_number"):
        return None, f"line {line}: {MFA_ENABLED} true needs a phone_number (SMS MFA)"
    attributes = {k: (v.lower() if k in BOOLEAN_COLUMNS else v) for k, v in values.items() if v}
    return ImportRow(line, username, attributes, mfa_enabled), ""
