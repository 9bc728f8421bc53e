"""PIVGM: Virtual Information Platform for Migration Governance."""

__version__ = "0.1.0"
