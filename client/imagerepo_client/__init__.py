"""Command-line client for an imagerepo server's JSON API."""

__version__ = "0.1.0"
