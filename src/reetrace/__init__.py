"""reetrace: rare-earth product traceability and export control."""

__version__ = "0.1.0"
