"""Data of the assembly room: the scoring tables (tables/) and Appendix 4 (appendix4.yaml)."""
