"""kzreg — five legal acts of the Republic of Kazakhstan, carried out as software."""

__version__ = "0.1.0"
