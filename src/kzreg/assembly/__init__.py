"""Industrial assembly of motor vehicles: agreements and localization scoring.

Carries out Order 493 (Standard on industrial assembly agreements, Appendices 1-5) and
Law 86-VII Arts 62-65 on agreements for industrial assembly.  Kept light: import the
submodules (``scoring``, ``eligibility``, ``workflow`` ...) where needed.
"""
