"""The comparison report as the API, the portal and the command line show it: its shape
(`report.py`) and its files (`files.py`: terminal table, JSON, XLSX)."""
