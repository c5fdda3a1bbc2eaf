"""Neutron's tables."""
