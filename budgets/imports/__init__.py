"""Imports of money from files: actual costs (CSV or XLSX ledger exports) and time-phased
budgets (XLSX or CSV). All or nothing, idempotent, streamed in chunks.

- files.py reads CSV and XLSX row by row; mapping.py says which column holds which field and
  proposes a mapping from the headers; values.py reads a cell as a date, amount or text.
- engine.py validates every row and then writes them all in one transaction (or nothing);
  actuals.py and budget.py are its two importers.
- jobs.py is the service layer of ImportJob: create, configure, preview, enqueue, run.
"""

from .actuals import ActualsImporter
from .budget import BudgetImporter
from .engine import IMPORTING, VALIDATING, ImportReport, Preview, RowError
from .files import ImportFileError, ImportLimits, TabularFile
from .jobs import (
    MAX_UPLOAD_BYTES,
    check_upload_quota,
    import_job_configure,
    import_job_create,
    import_job_enqueue,
    import_job_headers,
    import_job_preview,
    import_job_run,
    import_jobs_prune,
    importer_for,
    may_import,
    open_table,
)
from .mapping import ACTUALS_FIELDS, BUDGET_FIELDS, FIELDS_BY_KIND, ImportField, check_mapping, propose_mapping
from .values import DATE_FORMATS

__all__ = [
    "ACTUALS_FIELDS",
    "BUDGET_FIELDS",
    "DATE_FORMATS",
    "FIELDS_BY_KIND",
    "IMPORTING",
    "MAX_UPLOAD_BYTES",
    "VALIDATING",
    "ActualsImporter",
    "BudgetImporter",
    "ImportField",
    "ImportFileError",
    "ImportLimits",
    "ImportReport",
    "Preview",
    "RowError",
    "TabularFile",
    "check_mapping",
    "check_upload_quota",
    "import_job_configure",
    "import_job_create",
    "import_job_enqueue",
    "import_job_headers",
    "import_job_preview",
    "import_job_run",
    "import_jobs_prune",
    "importer_for",
    "may_import",
    "open_table",
    "propose_mapping",
]
