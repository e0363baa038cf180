"""Portal forms: one per event kind, turned into the dicts that capture accepts."""
