"""/api/v2: one module per endpoint group, each a blueprint `bp` listed in fedi/__init__.py."""
