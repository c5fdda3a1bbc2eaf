"""Glance's tables."""
