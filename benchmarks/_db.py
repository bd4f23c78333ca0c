"""Where a benchmark's database is, and the one rule about dropping it (issue #15).

- The database comes from --database-url or DATABASE_URL (postgres://... or sqlite:////path);
  there is no built-in name.
- `--create` creates it (PostgreSQL: CREATE DATABASE, refused if it exists; SQLite: a new file,
  refused if one is there) and only then may the script drop it at the end (`--drop`): a
  database the script did not create in the same run is never dropped.
- Results are written only to --out; a working folder is private (tempfile.mkdtemp).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse


@dataclass
class Database:
    url: str
    created: bool = field(default=False)

    @property
    def kind(self) -> str:
        return "sqlite" if self.url.startswith("sqlite:") else "postgres"

    @property
    def name(self) -> str:
        parsed = urlparse(self.url)
        if self.kind == "postgres":
            return unquote(parsed.path)[1:]
        return "/" + unquote(parsed.path).lstrip("/")  # sqlite:////abs/path

    def env(self) -> dict[str, str]:
        """The environment of a child process using this database."""
        env = {**os.environ, "ANNINH_DEBUG": "0", "PYTHONWARNINGS": "ignore"}
        if self.kind == "sqlite":
            env.pop("DATABASE_URL", None)
            env["ANNINH_SQLITE_PATH"] = self.name
        else:
            env["DATABASE_URL"] = self.url
        return env

    def _admin(self, sql: str) -> subprocess.CompletedProcess:
        parsed = urlparse(self.url)
        command = ["psql", "-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
        command += ["-U", unquote(parsed.username or "postgres"), "-d", "postgres", "-v", "ON_ERROR_STOP=1"]
        return subprocess.run([*command, "-qc", sql], capture_output=True, text=True, check=False)

    def psql(self, sql: str) -> str:
        parsed = urlparse(self.url)
        command = ["psql", "-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
        command += ["-U", unquote(parsed.username or "postgres"), "-d", self.name, "-v", "ON_ERROR_STOP=1"]
        done = subprocess.run([*command, "-Atqc", sql], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"psql failed: {done.stderr[-2000:]}")
        return done.stdout

    def create(self) -> None:
        """Create it; refuse if it exists (it may be someone else's)."""
        if self.kind == "sqlite":
            if Path(self.name).exists():
                raise SystemExit(f"{self.name} exists: not overwriting a file this run did not create")
            Path(self.name).parent.mkdir(parents=True, exist_ok=True)
        else:
            done = self._admin(f'CREATE DATABASE "{self.name}"')
            if done.returncode != 0:
                raise SystemExit(f"cannot create {self.name} (exists?): {done.stderr.strip()}")
        self.created = True

    def drop(self) -> None:
        """Drop it, only if this run created it."""
        if not self.created:
            raise SystemExit(f"refusing to drop {self.name}: this run did not create it")
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.name + suffix).unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')


def from_args(url: str | None) -> Database:
    url = url or os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("give --database-url or DATABASE_URL (postgres://... or sqlite:////path)")
    if not url.startswith(("postgres://", "postgresql://", "sqlite:")):
        raise SystemExit(f"unsupported database URL {url!r}")
    return Database(url)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"
