"""Keel's wiring: settings, URLs, the API router and the Celery app."""

from .celery import app as celery_app

__all__ = ("celery_app",)
