"""Pure library for fraud networks: accounts graph, rings, roles, tracing, typologies, scores.

No Django import: the investigations app loads data and stores results; everything here takes
arrays and DataFrames. ``python -m anninh.network score ...`` ranks the accounts of any
transactions file (see :mod:`anninh.network.cli`).
"""
