"""The admin: each part registers its models when imported."""

from . import accounts, albums  # noqa: F401
from .images import ImageAdmin

__all__ = ["ImageAdmin"]
