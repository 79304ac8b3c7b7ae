"""Streamed writes (issue 14 target 3): ``write_atomic`` takes text chunks as they are
rendered, with every guarantee of a whole-text write, and ``export csl`` uses it."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit.cli import cli
from citekit.fileio import write_atomic
from citekit.writers import csljson

LINES = [f"line {n}: caf\u00e9 \u738b {n * 7}\n" for n in range(3000)]
TEXT = "".join(LINES)


def temp_files(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.endswith(".tmp")]


def test_chunks_give_the_bytes_of_the_whole_text(tmp_path: Path) -> None:
    for encoding in ("utf-8", "utf-16", "utf-8-sig", "gb18030"):
        path = tmp_path / f"out.{encoding}"
        assert write_atomic(path, iter(LINES), encoding=encoding)
        assert path.read_bytes() == TEXT.encode(encoding)  # one BOM, not one a chunk
    assert write_atomic(tmp_path / "empty", iter([]))
    assert (tmp_path / "empty").read_bytes() == b""


@pytest.mark.parametrize(
    "new",
    [
        "changed first\n" + TEXT[20:],
        TEXT[: len(TEXT) // 2] + "changed in the middle" + TEXT[len(TEXT) // 2 :],
        TEXT[:-5] + "end\n",
        TEXT[:1000],  # shorter: the old file goes on after the new content ends
        TEXT + "one more line\n",  # longer: the old file ends first
        "",
    ],
    ids=["first", "middle", "last", "shorter", "longer", "empty"],
)
def test_a_difference_anywhere_writes_the_new_content(tmp_path: Path, new: str) -> None:
    path = tmp_path / "out.txt"
    path.write_text(TEXT, encoding="utf-8")
    chunks = [new[i : i + 997] for i in range(0, len(new), 997)]
    assert write_atomic(path, iter(chunks))
    assert path.read_text(encoding="utf-8") == new
    assert temp_files(tmp_path) == []


def test_identical_chunks_touch_nothing_even_a_write_protected_file(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text(TEXT, encoding="utf-8")
    path.chmod(0o444)
    before = path.stat().st_mtime_ns

    def chunks() -> Iterator[str]:
        for line in LINES:
            assert temp_files(tmp_path) == []  # compared, never written
            yield line

    assert write_atomic(path, chunks()) is False
    assert path.stat().st_mtime_ns == before and temp_files(tmp_path) == []


def test_a_write_protected_file_is_not_replaced_by_chunks(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text(TEXT, encoding="utf-8")
    path.chmod(0o444)
    with pytest.raises(OSError) as caught:
        write_atomic(path, iter([*LINES[:-1], "different\n"]))
    assert caught.value.errno == errno.EACCES and caught.value.filename == str(path)
    assert path.read_text(encoding="utf-8") == TEXT and temp_files(tmp_path) == []


@pytest.mark.parametrize("differs", [True, False], ids=["after-a-difference", "while-equal"])
def test_an_error_while_rendering_leaves_the_old_file(tmp_path: Path, differs: bool) -> None:
    path = tmp_path / "out.txt"
    path.write_text(TEXT, encoding="utf-8")

    def chunks() -> Iterator[str]:
        yield "different\n" if differs else LINES[0]
        yield from LINES[1:100]
        raise RuntimeError("a writer failed")

    with pytest.raises(RuntimeError, match="a writer failed"):
        write_atomic(path, chunks())
    assert path.read_text(encoding="utf-8") == TEXT and temp_files(tmp_path) == []


def test_the_temp_file_grows_before_the_last_chunk_is_rendered(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    seen: list[int] = []

    def chunks() -> Iterator[str]:
        yield from LINES[:-1]
        seen.extend(p.stat().st_size for p in temp_files(tmp_path))
        yield LINES[-1]

    assert write_atomic(path, chunks())
    assert len(seen) == 1 and seen[0] > 0  # not one text held whole, then written
    assert path.read_text(encoding="utf-8") == TEXT


def test_a_device_is_written_into_chunk_by_chunk() -> None:
    assert write_atomic(Path(os.devnull), iter(LINES))
    with pytest.raises(OSError) as caught:
        write_atomic(Path("/dev/full"), iter(LINES))
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == "/dev/full"


ENTRY = '@article{{paper{n},\n  author = {{M{{\\"u}}ller, J.}},\n  title = {{On {n}}},\n}}\n'


def test_export_csl_streams_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CSL file is on its way to disk before the last record is rendered, and holds
    what format_csljson gives for the same records."""
    count = 2_500  # more than one chunk of csljson_chunks
    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text("".join(ENTRY.format(n=n) for n in range(count)))
    real = csljson.csl_line  # what the export renders each item with
    written: list[int] = []

    def spy(record: csljson.Record) -> str:
        if record.key == f"paper{count - 1}":
            written.extend(p.stat().st_size for p in temp_files(tmp_path))
        return real(record)

    monkeypatch.setattr(csljson, "csl_line", spy)
    result = CliRunner().invoke(cli, ["export", "csl", "-o", "out.json"])
    assert result.exit_code == 0, result.output
    assert len(written) == 1 and written[0] > 0
    monkeypatch.setattr(csljson, "csl_line", real)
    from citekit.library import load

    records = load(tmp_path / "references.bib").records
    assert (tmp_path / "out.json").read_text("utf-8") == csljson.format_csljson(records)
    again = CliRunner().invoke(cli, ["export", "csl", "-o", "out.json"])
    assert again.exit_code == 0 and "up to date" in again.output


def test_every_export_but_the_page_comes_in_pieces() -> None:
    """Each export's text is ``"".join`` of its pieces (``format_*`` are built so, and the
    golden files of test_exports check their bytes); no piece holds most of it."""
    from citekit import exports
    from tests.export_records import hub, torture

    records = (hub() + torture()) * 100  # several pieces of writers.chunks.BATCH records
    for relative, render in exports._renderers("@preamble{{\\def\\x{y}}}\n").items():
        if relative == exports.HTML:  # a page of at most html_max_entries: made whole
            continue
        pieces = list(render(records))
        assert all(isinstance(p, str) for p in pieces), relative
        assert max(map(len, pieces)) < sum(map(len, pieces)) / 2, relative


def test_export_all_streams_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``export all`` writes each export as it is rendered (CSL-JSON, watched here)."""
    count = 2_500
    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text("".join(ENTRY.format(n=n) for n in range(count)))
    real = csljson.csl_line  # what the export renders each item with
    written: list[int] = []

    def spy(record: csljson.Record) -> str:
        if record.key == f"paper{count - 1}":
            written.extend(p.stat().st_size for p in temp_files(tmp_path / "exports"))
        return real(record)

    monkeypatch.setattr(csljson, "csl_line", spy)
    result = CliRunner().invoke(cli, ["export", "all"])
    assert result.exit_code == 0, result.output
    assert len(written) == 1 and written[0] > 0
