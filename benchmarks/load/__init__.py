"""Load and soak tests of `kzreg serve` on PostgreSQL with locust (docs/operations.md)."""
