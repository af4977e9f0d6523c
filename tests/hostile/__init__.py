"""Hostile input: property tests, fuzz smoke runs, schemathesis and injection attempts
(issue #9 item 1; docs/hostile-input.md)."""
