"""/api/v1: one module per endpoint group, each a blueprint `bp` listed in fedi/__init__.py."""
