"""``pivgm backup`` and ``pivgm restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def register(app: typer.Typer) -> None:
    @app.command("backup")
    def backup_command(
        destination: Annotated[Path, typer.Argument(help="Backup file to write, e.g. pivgm-2026-11-25.tar.gz")],
        force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    ) -> None:
        """Back up the embedded records and data files (consistent while the server runs)."""
        from pivgm.operations.backup import backup
        from pivgm.platform import Platform
        from pivgm.settings import Settings

        with console.status("Backing up..."):
            summary = backup(Platform.open(Settings()), destination, overwrite=force)
        console.print(f"Wrote {summary.path}: records + {summary.files} files ({summary.bytes / 1e6:.1f} MB).")

    @app.command("restore")
    def restore_command(
        source: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Backup file.")],
    ) -> None:
        """Restore a backup into an empty data directory (PIVGM_DATA_DIR)."""
        from pivgm.operations.backup import restore
        from pivgm.settings import Settings

        settings = Settings()
        with console.status("Restoring..."):
            count = restore(source, settings)
        console.print(f"Restored records and {count} files into {settings.data_dir}.")
