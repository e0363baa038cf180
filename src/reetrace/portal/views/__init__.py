"""Portal views, one module per area; each view is thin and checks its permissions."""
