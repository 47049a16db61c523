"""Roster import and export (issue 3): reading .xlsx / .csv, checking every row, writing in one go.

- columns.py: the roster's columns, their Chinese headers and English aliases, cell values.
- reading.py: detect the format and encoding, find the header row, yield the data rows.
- checking.py: every row through the same checks as the resident form, plus duplicates and matches.
- writing.py: all valid rows in one transaction (bulk_create, and batched UPDATEs).
- services.py: upload → preview, confirm, discard, run (what the Celery task calls).
- selectors.py: recent imports, the preview's first rows, the progress bar.
- forms.py: the upload form and the export's filters; template.py: the downloadable .xlsx template.
The export itself is residents/exports.py (its files written by residents/tabular.py, which the
other exports share); the pages are residents/views_rosters.py.
"""
