"""/api/v2: one module per endpoint group, each exposing a blueprint `bp` (see routes.py)."""
