"""The migration data standard as data: YAML codelists, concepts and dataflows, loaded into the model."""

from pivgm.structures.loader import STRUCTURES_DIR, Standard, load_standard

__all__ = ["STRUCTURES_DIR", "Standard", "load_standard"]
