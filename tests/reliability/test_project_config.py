"""Issue #12 item 8: a repository cannot redirect your secrets or your writes.

A ``citekit.toml`` (or ``[tool.citekit]``) comes with a cloned repository. Through the
CLI, with the harness's sentinel API key and mailto in the environment:

* ``crossref_url`` from a project file is asked without the mailto, after saying so;
* ``zotero_url`` from a project file is refused with one line: the API key is never sent;
* ``bib``, ``exports_dir`` and ``cache_dir`` from a project file that lead outside the
  project are refused with one line, and nothing is written there;
* the same URLs from the environment still get the credentials (the user chose them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers.crossref import CrossrefServer
from tests.servers.zotero import ZoteroServer, serve

from .harness import SECRET_KEY, SECRET_MAILTO, citekit_env, no_traceback, run_citekit

ENTRY = """@article{done,
  author = {Okafor, Ada},
  title = {A Finished Entry},
  journal = {Constructed Letters},
  year = {2020},
}
"""


def _project_env(project: Path) -> dict[str, str]:
    """The harness environment without the service URLs (the project file sets them)."""
    env = citekit_env(project)
    for name in ("CITEKIT_ARXIV_URL", "CITEKIT_CROSSREF_URL", "CITEKIT_ZOTERO_URL"):
        env.pop(name, None)
    return env


def _sent(server: CrossrefServer, secret: str) -> bool:
    return any(
        secret in request.raw_path or any(secret in v for v in request.headers.values())
        for request in server.requests
    )


def test_a_project_crossref_url_gets_no_mailto(tmp_path: Path) -> None:
    with CrossrefServer() as crossref:
        crossref.add("10.5555/p.1", "A Constructed Work", [("Ada", "Okafor")], issued=(2020,))
        (tmp_path / "citekit.toml").write_text(f'crossref_url = "{crossref.url}"\n')
        (tmp_path / "references.bib").write_text("@misc{w,\n  doi = {10.5555/p.1},\n}\n")
        done = run_citekit(tmp_path, "resolve", env=_project_env(tmp_path))
        assert crossref.count() == 1, done.stderr
        assert not _sent(crossref, SECRET_MAILTO)
    assert no_traceback(done.stderr), done.stderr
    assert done.returncode == 0, done.stderr
    assert "comes from a project file" in done.stderr and "without your mailto" in done.stderr


def test_an_environment_crossref_url_still_gets_the_mailto(tmp_path: Path) -> None:
    with CrossrefServer() as crossref:
        crossref.add("10.5555/p.1", "A Constructed Work", [("Ada", "Okafor")], issued=(2020,))
        (tmp_path / "references.bib").write_text("@misc{w,\n  doi = {10.5555/p.1},\n}\n")
        env = citekit_env(tmp_path, CITEKIT_CROSSREF_URL=crossref.url)
        done = run_citekit(tmp_path, "resolve", env=env)
        assert _sent(crossref, SECRET_MAILTO)
    assert done.returncode == 0, done.stderr
    assert "project file" not in done.stderr


@pytest.mark.parametrize("where", ["citekit.toml", "pyproject.toml"])
def test_a_project_zotero_url_never_gets_the_api_key(tmp_path: Path, where: str) -> None:
    (tmp_path / "references.bib").write_text(ENTRY, encoding="utf-8")
    with serve(ZoteroServer(SECRET_KEY)) as zotero:
        line = f'zotero_url = "{zotero.url}"\n'
        text = line if where == "citekit.toml" else "[tool.citekit]\n" + line
        (tmp_path / where).write_text(text, encoding="utf-8")
        env = _project_env(tmp_path)
        done = run_citekit(tmp_path, "sync", "zotero", "--dry-run", env=env)
        assert zotero.log == []  # not one request, so no Authorization header
    assert no_traceback(done.stderr), done.stderr
    assert done.returncode == 1
    (message,) = done.stderr.strip().splitlines()
    assert "zotero_url" in message and "project file" in message and "CITEKIT_ZOTERO_URL" in message


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("exports_dir", "../outside-exports"),
        ("cache_dir", "../outside-cache"),
        ("bib", "../outside.bib"),
        ("exports_dir", "/tmp/citekit-outside-exports"),
    ],
)
def test_project_paths_stay_inside_the_project(tmp_path: Path, setting: str, value: str) -> None:
    project = tmp_path / "clone"
    project.mkdir()
    (project / "references.bib").write_text(ENTRY, encoding="utf-8")
    (tmp_path / "outside.bib").write_text(ENTRY, encoding="utf-8")
    (project / "citekit.toml").write_text(f'{setting} = "{value}"\n', encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    env = citekit_env(project)
    del env["CITEKIT_CACHE_DIR"]  # the project file's cache_dir is the one in question
    done = run_citekit(project, "build", "--offline", env=env)
    assert no_traceback(done.stderr), done.stderr
    assert done.returncode == 1
    (message,) = done.stderr.strip().splitlines()
    assert setting in message and "outside the project" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not Path("/tmp/citekit-outside-exports").exists()


def test_a_path_from_the_environment_may_lead_anywhere(tmp_path: Path) -> None:
    project = tmp_path / "clone"
    project.mkdir()
    (project / "references.bib").write_text(ENTRY, encoding="utf-8")
    env = citekit_env(project, CITEKIT_EXPORTS_DIR=str(tmp_path / "mine"))
    done = run_citekit(project, "build", "--offline", env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "mine" / "references.json").is_file()
