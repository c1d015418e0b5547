"""Bringing a force's own data in: boundaries, records, comparison layers."""
