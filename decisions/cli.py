"""`flask --app app decision-note render REF PATH [--public]` and `decision-note letters REF DIR`.

Errors go to standard error, one line, with exit status 1, and change nothing.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from decisions import bp
from decisions.letters.service import issue_letters, letters_zip, note_of
from decisions.letters.document import safe_name
from decisions.note.builder import decision_pack
from decisions.note.published import FrozenRecordError, public_pack, published_version
from procurement.access import find_procurement
from extensions import db


def _fail(message: str):
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


def _write_atomically(path: Path, content: bytes) -> None:
    """All of the file or nothing: a temporary file in the same folder, then renamed."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@bp.cli.command("render")
@click.argument("reference")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--public", is_flag=True,
              help="the public version: text marked commercially sensitive is [REDACTED]; "
                   "of a signed note, the published one (its latest signed version)")
def render_command(reference, path: Path, public: bool):
    """Write the decision pack (the note, then its annexes) as it stands to PATH.

    With --public, a note with a signed version gets the version published: drawn from what
    was signed (decisions.note.published), not from the records as they stand."""
    procurement = find_procurement(reference)
    if procurement is None:
        _fail(f"No procurement with reference {reference}")
    if path.is_dir():
        _fail(f"Cannot write {path}: it is a folder")
    if not path.parent.is_dir():
        _fail(f"Cannot write {path}: folder {path.parent} does not exist")
    signed = published_version(note_of(procurement)) if public else None
    try:
        content = public_pack(signed) if signed is not None \
            else decision_pack(procurement, public=public)
    except FrozenRecordError as err:
        _fail(f"Cannot render the public version of {reference}: {err}")
    db.session.rollback()  # building may create an empty note record: rendering writes nothing
    try:
        _write_atomically(path, content)
    except OSError as err:
        _fail(f"Cannot write {path}: {err.strerror or err}")
    click.echo(f"Wrote {path} ({len(content):,} bytes{', public version' if public else ''})")


@bp.cli.command("letters")
@click.argument("reference")
@click.argument("directory", type=click.Path(path_type=Path))
def letters_command(reference, directory: Path):
    """Issue the letters to bidders: one PDF per bid in DIRECTORY, plus letters.zip."""
    procurement = find_procurement(reference)
    if procurement is None:
        _fail(f"No procurement with reference {reference}")
    if directory.exists() and not directory.is_dir():
        _fail(f"Cannot write to {directory}: it is not a folder")
    issued, refusal = issue_letters(procurement, actor="cli")
    if refusal:
        _fail(refusal)
    names, used = [], set()
    for _letter, filename, pdf in issued:
        name, n = safe_name(filename), 1
        stem, ext = os.path.splitext(name)
        while name.lower() in used or name.lower() == "letters.zip":
            n += 1
            name = f"{stem} ({n}){ext}"
        used.add(name.lower())
        names.append((name, pdf))
    written: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, pdf in names:
            _write_atomically(directory / name, pdf)
            written.append(directory / name)
        _write_atomically(directory / "letters.zip", letters_zip(names))
    except OSError as err:
        for f in written:
            f.unlink(missing_ok=True)
        _fail(f"Cannot write to {directory}: {err.strerror or err}")
    db.session.commit()
    for name, _pdf in names:
        click.echo(str(directory / name))
    click.echo(str(directory / "letters.zip"))
