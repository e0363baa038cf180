"""Writes of the export-control app: applications and their documents
(`applications.py`), the workflow, decisions and licences (`workflow.py`),
vetted exporters (`vetting.py`) and screening against watch lists (`screening.py`)."""
