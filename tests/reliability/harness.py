"""Shared helpers of the reliability suite: run citekit as a user does, and watch for secrets.

Every citekit run of this suite goes through :func:`run_citekit` / :func:`start_citekit`
(a subprocess, ``python -m citekit``) or :func:`invoke` (click's CliRunner, for the fuzz
loops). All of them hand citekit a sentinel Zotero API key and a sentinel Crossref
``mailto`` in the environment, and feed every byte citekit printed, and every file it
left in the project, to :data:`WITNESS`, which fails the session if a sentinel shows up
(see ``conftest.py``). The papers registered here are CONSTRUCTED (made-up ids and
titles in the loopback servers' formats), not copies of any recording.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from citekit.cli import cli

SECRET_KEY = "zkSENTINELapiKEYcitekitRELIABILITY42"  # constructed; must never leak
SECRET_MAILTO = "sentinel.mailto.7f3a@example.invalid"  # constructed; must never leak
SECRETS = (SECRET_KEY.encode(), SECRET_MAILTO.encode())
ZOTERO_LIBRARY = "4242"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Witness:
    """Everything citekit printed or wrote during the session, checked for the sentinels."""

    scanned_bytes: int = 0
    scanned_runs: int = 0
    leaks: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def text(self, label: str, data: bytes | str) -> None:
        """Check one printed text (stdout, stderr, an exception's message)."""
        raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
        with self._lock:
            self.scanned_bytes += len(raw)
            for secret in SECRETS:
                if secret in raw:
                    self.leaks.append(f"{label}: {secret.decode()[:12]}…")

    def tree(self, root: Path) -> None:
        """Check every file under ``root`` (the library, exports, cache, state, lock)."""
        for path in sorted(Path(root).rglob("*")):
            if path.is_file() and not path.is_symlink():
                try:
                    self.text(str(path), path.read_bytes())
                except OSError:
                    continue

    def run(self) -> None:
        with self._lock:
            self.scanned_runs += 1


WITNESS = Witness()


def citekit_env(project: Path, **extra: str) -> dict[str, str]:
    """The environment of a citekit run on ``project``: sentinels in, no proxies, no CI."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env |= {
        "NO_PROXY": "127.0.0.1,localhost",
        "ZOTERO_API_KEY": SECRET_KEY,
        "ZOTERO_LIBRARY_ID": ZOTERO_LIBRARY,
        "ZOTERO_LIBRARY_TYPE": "user",
        "CITEKIT_MAILTO": SECRET_MAILTO,
        # Module-scoped runs happen outside conftest's per-test environment: no service
        # may default to its real host (a DNS lookup is already a leak). Callers that
        # start servers pass their URLs in ``extra``.
        "CITEKIT_DBLP_URL": "http://127.0.0.1:9",
        "CITEKIT_OPENALEX_URL": "http://127.0.0.1:9",
        "CITEKIT_PUBLISHED_SOURCES": "crossref",
        "CITEKIT_CACHE_DIR": str(project / ".citekit"),
        "CITEKIT_CREDENTIALS": str(project / "no-credentials.toml"),
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "200",
    }
    return env | extra


def _command(args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "citekit", *args]


def run_citekit(
    project: Path, *args: str, timeout: float = 60.0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``citekit ARGS`` in ``project`` as a subprocess; output and files go to the witness."""
    done = subprocess.run(
        _command(args),
        cwd=project,
        env=env or citekit_env(project),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    witness(project, done.stdout, done.stderr, " ".join(args))
    return done


def start_citekit(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``citekit ARGS`` started in ``project``; call :func:`finish` on it."""
    return subprocess.Popen(
        _command(args),
        cwd=project,
        env=env or citekit_env(project),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes], project: Path, timeout: float = 60.0) -> Any:
    """Wait for (or collect a killed) process; returns (returncode, stdout, stderr) as text."""
    out, err = process.communicate(timeout=timeout)
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    witness(project, stdout, stderr, " ".join(map(str, process.args)))  # type: ignore[arg-type]
    return process.returncode, stdout, stderr


def witness(project: Path, stdout: str, stderr: str, label: str) -> None:
    WITNESS.run()
    WITNESS.text(f"stdout of {label}", stdout)
    WITNESS.text(f"stderr of {label}", stderr)
    WITNESS.tree(project)


def invoke(project: Path, *args: str, **kwargs: Any) -> Result:
    """``citekit ARGS`` in-process through CliRunner (fast), output to the witness."""
    cwd = Path.cwd()
    os.chdir(project)
    try:
        env = {
            "ZOTERO_API_KEY": SECRET_KEY,
            "CITEKIT_MAILTO": SECRET_MAILTO,
            # Module-scoped runs happen outside conftest's per-test environment: no service
            # may default to its real host (a DNS lookup is already a leak). Callers that
            # start servers pass their URLs in ``extra``.
            "CITEKIT_DBLP_URL": "http://127.0.0.1:9",
            "CITEKIT_OPENALEX_URL": "http://127.0.0.1:9",
            "CITEKIT_PUBLISHED_SOURCES": "crossref",
            "CITEKIT_CACHE_DIR": str(project / ".citekit"),
        }
        result = CliRunner().invoke(cli, list(args), env=env, **kwargs)
    finally:
        os.chdir(cwd)
    WITNESS.run()
    WITNESS.text(f"output of {args}", result.stdout + result.stderr)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        WITNESS.text(f"exception of {args}", repr(result.exception))
    return result


def settings_file(project: Path, **values: float | str) -> None:
    """Write ``citekit.toml`` (small timeouts and delays for the loopback servers)."""
    lines = [f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in values.items()]
    (project / "citekit.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def no_traceback(text: str) -> bool:
    """True when ``text`` holds no Python traceback or internal-error line."""
    return "Traceback (most recent call last)" not in text and "internal error" not in text
