"""Compile the .po message catalogs to .mo with polib, so running the platform needs no
GNU gettext (only regenerating catalogs does: ./dev i18n)."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def catalog_files() -> list[Path]:
    roots = [Path(p) for p in settings.LOCALE_PATHS]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*.po"))


class Command(BaseCommand):
    help = "Compile every .po catalog under LOCALE_PATHS into its .mo file."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        for po_path in catalog_files():
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            if not quiet:
                self.stdout.write(f"compiled {po_path}")
