"""Autoscaling groups: templates, bounds, metric targets, decisions and their events."""
