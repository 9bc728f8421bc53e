"""Comparable indicators computed from published releases: derived indicators, mirror statistics."""
