"""Roster import from CSV and XLSX: read → recognise → plan (the preview) → apply.

Nothing is written until `apply_import`. `recognise` turns the file's rows into a `Table` of
only the columns Pakta reads (formats.py: Pakta's template, BKN's SIASN export, or an export
mapped once); that table is kept server-side between preview and confirmation and the plan is
recomputed from it at confirmation against the database as it is then, so a stale preview or
a tampered form cannot write what was not shown. Columns are documented in docs/import.md.
"""

from signings.services.imports.apply import ImportSource, StalePlanError, apply_import
from signings.services.imports.formats import (
    COLUMNS,
    MAPPABLE,
    Table,
    UnknownColumnsError,
    header_signature,
    recognise,
)
from signings.services.imports.mappings import save_column_mapping, save_unit_mapping
from signings.services.imports.plan import ImportPlan, RowOutcome, RowStatus, plan_import
from signings.tabular import (
    FORMULA_STARTS,
    ImportFileError,
    neutralise,
    read_table,
    xlsx_text,
)

__all__ = [
    "COLUMNS", "FORMULA_STARTS", "MAPPABLE", "ImportFileError", "ImportPlan", "ImportSource",
    "UnknownColumnsError", "RowOutcome", "RowStatus", "StalePlanError", "Table",
    "apply_import", "header_signature", "neutralise", "plan_import", "read_table",
    "recognise", "save_column_mapping", "save_unit_mapping", "xlsx_text",
]
