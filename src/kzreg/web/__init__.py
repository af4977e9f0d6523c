"""The web workplace and HTTP API (FastAPI, server-rendered pages, no CDN)."""

from kzreg.web.app import create_app

__all__ = ["create_app"]
