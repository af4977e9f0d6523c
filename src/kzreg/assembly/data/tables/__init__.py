"""Versioned scoring tables of Order 493 (R-App2, R-App3): one YAML file per version."""
