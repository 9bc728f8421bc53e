"""Running an instance: backups and restores of the embedded default."""
