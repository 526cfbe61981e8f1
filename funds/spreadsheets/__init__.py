"""Spreadsheet import and export of the yearly figures, split by job.

- `files.py`: an upload into headers and rows, within limits; `xlsx.py` streams a workbook's rows.
- `cells.py`: one cell, read on import and written on export; the value shown in a preview.
- `resources.py`: the three kinds of file (returns, fund balances, scholarships) and their columns.
- `rows.py`: checking a file's rows: who, which year, in scope, unlocked, what changes.
- `outcomes.py`: what the check found, row by row.
- `persist.py`: writing what a checked file asks for.
- `stash.py`: the file kept between the preview and the confirmation.
- `exports.py`: the files users download (exports and templates), written by core/tabular.py.

The import service that ties them together is funds/imports.py.
"""
