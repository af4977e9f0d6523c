"""The law kernel: acts and versions, citations, dated parameters, named settings,
calendar and deadlines, exact numbers, explanations, identifiers, the rule registry.

Pure Python: no I/O beyond reading its own data files under `law/data/`.
"""
