"""Fail when a message catalog has an untranslated or fuzzy entry (CI runs this after
makemessages, so a string added without its Vietnamese translation turns CI red)."""

import os
import shutil
import subprocess

import polib
from django.core.management.base import BaseCommand, CommandError

from anninh.web.management.commands.compile_catalogs import catalog_files


class Command(BaseCommand):
    help = "Check that every catalog entry is translated and none is fuzzy."

    def handle(self, *args, **options):
        problems: list[str] = []
        files = catalog_files()
        if not files:
            raise CommandError("no message catalogs found under LOCALE_PATHS")
        for po_path in files:
            po = polib.pofile(str(po_path))
            for entry in po:
                if entry.obsolete:
                    continue
                if entry.fuzzy:
                    problems.append(f"{po_path}: fuzzy: {entry.msgid!r}")
                elif not entry.translated():
                    problems.append(f"{po_path}: untranslated: {entry.msgid!r}")
            self.stdout.write(f"{po_path}: {len(po.translated_entries())} translated entries")
            # GNU msgfmt's own check: format strings of msgid and msgstr agree (a stray
            # python-format flag or a lost %(name)s breaks the page at run time).
            if shutil.which("msgfmt"):
                checked = subprocess.run(  # noqa: S603 - fixed program, our own file
                    ["msgfmt", "--check", "-o", os.devnull, str(po_path)],  # noqa: S607
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if checked.returncode:
                    problems.append(f"{po_path}: msgfmt --check: {checked.stderr.strip()}")
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(f"{len(problems)} catalog entries need a translation")
        self.stdout.write(self.style.SUCCESS("catalogs complete"))
