"""Secrets: the Zotero API key and the Crossref mailto never show in anything citekit makes.

Every run of this suite hands citekit a sentinel key and mailto (``harness.citekit_env``)
and the autouse fixture in ``conftest.py`` greps every byte each test's runs printed or
left in their project for them. The tests here add the runs most likely to leak: sync
reports and state, a refused key, and servers that echo the request (headers, URL, query)
back in error bodies, with and without ``--debug``.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest

from tests.servers.zotero import ZoteroServer, serve

from .harness import SECRET_KEY, SECRET_MAILTO, WITNESS, Witness, citekit_env, run_citekit
from .papers import complete


class Echo(BaseHTTPRequestHandler):
    """Answers every request with its own request line and headers, in the body and headers."""

    status = 500

    def do_GET(self) -> None:
        self._echo()

    def do_POST(self) -> None:
        self._echo()

    def _echo(self) -> None:
        said = {"request": self.requestline, "headers": dict(self.headers.items())}
        body = json.dumps({"message": said, "status": "error"}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Echo", str(self.headers.get("User-Agent", ""))[:200])
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def echo_server(status: int) -> tuple[ThreadingHTTPServer, str]:
    handler = type("EchoStatus", (Echo,), {"status": status})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def test_sync_output_report_and_state_hold_no_secret(tmp_path: Path) -> None:
    (tmp_path / "references.bib").write_text(complete(3), encoding="utf-8")
    with serve(ZoteroServer(SECRET_KEY)) as zotero:
        env = citekit_env(tmp_path, CITEKIT_ZOTERO_URL=zotero.url)
        for args in (
            ("sync", "zotero"),
            ("sync", "zotero", "--json"),
            ("sync", "zotero", "--dry-run"),
        ):
            done = run_citekit(tmp_path, *args, env=env)
            assert done.returncode == 0, done.stderr
        assert len(zotero.live_items()) == 3
    state = next((tmp_path / ".citekit").glob("zotero-*.json")).read_text()
    assert SECRET_KEY not in state


def test_a_refused_key_is_named_but_not_shown(tmp_path: Path) -> None:
    (tmp_path / "references.bib").write_text(complete(1), encoding="utf-8")
    with serve(ZoteroServer("another-key-entirely")) as zotero:
        env = citekit_env(tmp_path, CITEKIT_ZOTERO_URL=zotero.url)
        done = run_citekit(tmp_path, "sync", "zotero", env=env)
        debug = run_citekit(tmp_path, "--debug", "sync", "zotero", env=env)
    assert done.returncode == debug.returncode == 1
    assert "403" in done.stderr or "key" in done.stderr.lower()


@pytest.mark.parametrize("status", [400, 500])
@pytest.mark.parametrize("debug", [False, True])
def test_servers_that_echo_the_request_never_make_citekit_print_a_secret(
    tmp_path: Path, status: int, debug: bool
) -> None:
    (tmp_path / "references.bib").write_text(
        "@misc{w,\n  doi = {10.5555/echo.1},\n}\n\n" + complete(1), encoding="utf-8"
    )
    (tmp_path / "citekit.toml").write_text("timeout = 2.0\n")
    httpd, url = echo_server(status)
    try:
        env = citekit_env(tmp_path, CITEKIT_CROSSREF_URL=url, CITEKIT_ZOTERO_URL=url)
        flags = ("--debug",) if debug else ()
        resolve = run_citekit(tmp_path, *flags, "resolve", env=env, timeout=120)
        if status < 500:  # a 5xx makes sync wait out its backoff (a minute): 400 says as much
            sync = run_citekit(tmp_path, *flags, "sync", "zotero", env=env, timeout=120)
            assert sync.returncode == 1
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert resolve.returncode == 1
    assert "crossref" in resolve.stderr


def test_the_witness_catches_a_leak(tmp_path: Path) -> None:
    """The check itself can fail: a sentinel in output or in any file is reported."""
    witness = Witness()
    witness.text("stdout", f"key={SECRET_KEY}")
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep/state.json").write_bytes(f'{{"m": "{SECRET_MAILTO}"}}'.encode())
    witness.tree(tmp_path)
    assert len(witness.leaks) == 2 and witness.scanned_bytes > 0


def test_the_witness_saw_runs_and_nothing_leaked(tmp_path: Path) -> None:
    """The final check over everything this session's reliability runs printed and wrote."""
    (tmp_path / "references.bib").write_text(complete(2), encoding="utf-8")
    assert run_citekit(tmp_path, "build", "--offline").returncode == 0
    assert WITNESS.scanned_runs > 0 and WITNESS.scanned_bytes > 0
    assert not WITNESS.leaks, WITNESS.leaks[:5]
    assert SECRET_KEY not in SECRET_MAILTO  # two distinct sentinels
