"""What an uploaded file really is, read from its bytes, and whether Keel accepts it.

The name's extension says what the uploader claims; the content (magic numbers through `filetype`,
then the structure of the formats that are zip archives, then UTF-8 for text) says what it is. A
file is accepted only when both agree and the type is on the allowlist, so a `.pdf` that is an
executable or an HTML page, or a `.png` that is an SVG with a script, is refused. SVG and HTML are
refused under any name: a browser runs their scripts.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import filetype

UNSUPPORTED_EXTENSION = "“{name}”: files of this type cannot be attached; allowed: {allowed}."
NO_EXTENSION = "“{name}” has no extension; name the file with one of: {allowed}."
CONTENT_MISMATCH = "“{name}” is not what its name says: its content is {found}, not {expected}."
ACTIVE_CONTENT = "“{name}” contains HTML or SVG, which cannot be attached (a browser would run its scripts)."
NOT_TEXT = "“{name}” is not plain UTF-8 text: {why}."
BROKEN_ARCHIVE = "“{name}” is not a valid {expected} document: {why}."

SNIFF_BYTES = 8192  # filetype reads no further than this
TEXT_PROBE = b"<"

OOXML = {
    # extension: (the main part, the content type [Content_Types].xml must declare for it)
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}
ODF = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}


@dataclass(frozen=True)
class Kind:
    label: str  # what a person calls it, in messages
    content_type: str  # the Content-Type a download is served with
    sniffed: frozenset[str]  # the MIME types `filetype` may report for it (empty: text, nothing)


_KINDS: dict[str, Kind] = {
    "pdf": Kind("a PDF", "application/pdf", frozenset({"application/pdf"})),
    "png": Kind("a PNG image", "image/png", frozenset({"image/png", "image/apng"})),
    "jpg": Kind("a JPEG image", "image/jpeg", frozenset({"image/jpeg"})),
    "jpeg": Kind("a JPEG image", "image/jpeg", frozenset({"image/jpeg"})),
    "gif": Kind("a GIF image", "image/gif", frozenset({"image/gif"})),
    "webp": Kind("a WebP image", "image/webp", frozenset({"image/webp"})),
    # filetype recognises OOXML and ODF by their first zip entries when it can, and otherwise
    # answers "zip"; the archive's own structure is checked either way (_check_ooxml, _check_odf).
    **{
        ext: Kind(f"a {ext.upper()} document", mime, frozenset({mime, "application/zip"}))
        for ext, mime in {
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        }.items()
    },
    **{
        ext: Kind(f"an {ext.upper()} document", mime, frozenset({mime, "application/zip"})) for ext, mime in ODF.items()
    },
    "txt": Kind("plain text", "text/plain; charset=utf-8", frozenset()),
    "csv": Kind("CSV text", "text/csv; charset=utf-8", frozenset()),
}
ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(sorted(_KINDS))
ALLOWED_TEXT = ", ".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)
# What the upload form's file picker offers (the server checks regardless).
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)


class FileRefusedError(ValueError):
    """The file is not accepted; the message says why, naming the file."""


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""


def check_file(*, name: str, fileobj: BinaryIO) -> str:
    """The Content-Type to store for the file `name` whose bytes `fileobj` holds (seekable, read
    from the start; left at an unspecified position). Raises FileRefusedError."""
    ext = extension_of(name)
    if not ext:
        raise FileRefusedError(NO_EXTENSION.format(name=name, allowed=ALLOWED_TEXT))
    kind = _KINDS.get(ext)
    if kind is None:
        raise FileRefusedError(UNSUPPORTED_EXTENSION.format(name=name, allowed=ALLOWED_TEXT))
    fileobj.seek(0)
    head = fileobj.read(SNIFF_BYTES)
    if _looks_like_markup(head):
        raise FileRefusedError(ACTIVE_CONTENT.format(name=name))
    guessed = filetype.guess(head)
    found = guessed.mime if guessed else None
    if not kind.sniffed:  # text: nothing binary may hide behind .txt or .csv
        if found is not None:
            raise FileRefusedError(CONTENT_MISMATCH.format(name=name, found=_describe(guessed), expected=kind.label))
        _check_text(name, fileobj)
        return kind.content_type
    if found not in kind.sniffed:
        what = _describe(guessed) if guessed else "not recognised"
        raise FileRefusedError(CONTENT_MISMATCH.format(name=name, found=what, expected=kind.label))
    if ext in OOXML:
        _check_ooxml(name, ext, kind, fileobj)
    elif ext in ODF:
        _check_odf(name, ext, kind, fileobj)
    return kind.content_type


def _describe(guessed) -> str:
    return f"{guessed.mime} (.{guessed.extension})"


_MARKUP_STARTS = (b"<!doctype html", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body", b"<iframe")


def _looks_like_markup(head: bytes) -> bool:
    """HTML, SVG or XML at the start of the file (after a BOM and blank space), in UTF-8 or
    UTF-16: what a browser would render as a page if it ever sniffed the type."""
    for probe in (head, _utf16_as_ascii(head)):
        start = probe.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
        if start.startswith(_MARKUP_STARTS):
            return True
    return False


def _utf16_as_ascii(head: bytes) -> bytes:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head[2:].replace(b"\x00", b"")
    return b""


def _check_text(name: str, fileobj: BinaryIO) -> None:
    """UTF-8 throughout and no NUL bytes (the mark of a binary file). Markup at the start was
    refused already; tags further in are text (downloads are served as text/plain, nosniff)."""
    import codecs

    fileobj.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    while chunk := fileobj.read(64 * 1024):
        if b"\x00" in chunk:
            raise FileRefusedError(NOT_TEXT.format(name=name, why=f"it contains a NUL byte near byte {offset}"))
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            raise FileRefusedError(
                NOT_TEXT.format(name=name, why=f"invalid UTF-8 at byte {offset + error.start}")
            ) from None
        offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise FileRefusedError(NOT_TEXT.format(name=name, why="it ends in the middle of a character")) from None


def _open_zip(name: str, kind: Kind, fileobj: BinaryIO) -> zipfile.ZipFile:
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
        archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileRefusedError(BROKEN_ARCHIVE.format(name=name, expected=kind.label, why=str(error))) from None
    return archive


def _check_ooxml(name: str, ext: str, kind: Kind, fileobj: BinaryIO) -> None:
    """An Office Open XML file is a zip whose [Content_Types].xml declares its main part with the
    content type of this very format (a macro-enabled .docm renamed .docx declares another)."""
    main_part, main_type = OOXML[ext]
    with _open_zip(name, kind, fileobj) as archive:
        names = set(archive.namelist())
        if "[Content_Types].xml" not in names:
            raise FileRefusedError(BROKEN_ARCHIVE.format(name=name, expected=kind.label, why="no [Content_Types].xml"))
        if main_part not in names:
            raise FileRefusedError(BROKEN_ARCHIVE.format(name=name, expected=kind.label, why=f"no {main_part}"))
        with archive.open("[Content_Types].xml") as handle:
            declared = handle.read(1024 * 1024)
    if main_type.encode() not in declared:
        why = "its [Content_Types].xml declares another kind of document (macro-enabled, or another format)"
        raise FileRefusedError(BROKEN_ARCHIVE.format(name=name, expected=kind.label, why=why))


def _check_odf(name: str, ext: str, kind: Kind, fileobj: BinaryIO) -> None:
    """An OpenDocument file is a zip whose `mimetype` entry names its format."""
    with _open_zip(name, kind, fileobj) as archive:
        try:
            with archive.open("mimetype") as handle:
                declared = handle.read(200).strip()
        except KeyError:
            raise FileRefusedError(
                BROKEN_ARCHIVE.format(name=name, expected=kind.label, why="no mimetype entry")
            ) from None
    if declared != ODF[ext].encode():
        why = f"its mimetype entry says {declared.decode('ascii', 'replace')}"
        raise FileRefusedError(BROKEN_ARCHIVE.format(name=name, expected=kind.label, why=why))
