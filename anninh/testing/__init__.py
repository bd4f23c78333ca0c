"""Test support shared by every app: personas and the permission-matrix helper."""
