"""Pure helpers for Vietnamese text, money, dates and identifiers.

Nothing in this package imports Django (a test enforces it): values go in and plain values
come out, so the same rules serve models, forms, the API, imports and management commands.
User-input problems raise :class:`anninh.lib.errors.ValidationProblem` subclasses whose
``code`` is a stable key the Django layer translates.
"""
