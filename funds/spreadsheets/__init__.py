"""Spreadsheet import and export of the yearly figures, split by job.

- `cells.py`: reading one cell (text, amount, year, tier, yes/no) and the value shown in a preview.
- `files.py`: reading an uploaded file into headers and rows, within the limits.
- `resources.py`: the three kinds of file (returns, fund balances, scholarships) and their columns.
- `rows.py`: checking the rows of a file: who, which year, in scope, unlocked, what changes.
- `persist.py`: writing what a checked file asks for.
- `exports.py`: the files users download (exports and templates).
"""
