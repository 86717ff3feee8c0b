"""Uploaded files as sources of rows: format detection, binary and zip-bomb refusal, limits."""

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings

from annotations.importers.base import SourceError

FORMATS = ("txt", "jsonl", "doccano", "csv", "html", "labelstudio", "urls")
EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "labelstudio",
    ".csv": "csv",
    ".tsv": "csv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
ARCHIVE_EXTENSIONS = (".zip",)
SNIFF_BYTES = 8192
# Magic numbers of files that are certainly not articles, with a name a person recognises.
BINARY_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
)
OFFICE_EXTENSIONS = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".epub")
ACCEPTED = ".txt, .jsonl, .csv, .html, .json (Label Studio) or a .zip of them"


def human_bytes(size: int) -> str:
    if size < 1000:
        return f"{size:,} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1000
        if value < 1000:
            return f"{value:.1f} {unit}"
    return f"{value / 1000:.1f} TB"


@dataclass
class SourceFile:
    """One file to read: a path on disk, or a member of a zip archive."""

    name: str
    format: str
    opener: Callable[[], IO[bytes]]

    def read_bytes(self) -> bytes:
        with self.opener() as stream:
            return stream.read()


def detect_format(name: str, requested: str | None) -> str | None:
    if requested and requested != "auto":
        return requested
    return EXTENSIONS.get(PurePosixPath(name.lower()).suffix)


def sniff(head: bytes, name: str) -> None:
    """Refuse binary files with a message that names what they seem to be."""
    lower = name.lower()
    if head.startswith(b"PK\x03\x04") and lower.endswith(OFFICE_EXTENSIONS):
        raise SourceError(
            "unsupported_file",
            f"“{name}” is an office document; save it as text (.txt, .csv or .html) and "
            "import that.",
        )
    for signature, what in BINARY_SIGNATURES:
        if head.startswith(signature):
            raise SourceError(
                "binary_file",
                f"“{name}” is {what}, not text. Import {ACCEPTED}.",
            )
    if b"\x00" in head:
        raise SourceError(
            "binary_file",
            f"“{name}” is a binary file (it contains NUL bytes), not text. Import {ACCEPTED}.",
        )


def is_archive(head: bytes, name: str) -> bool:
    return head.startswith(b"PK\x03\x04") or name.lower().endswith(ARCHIVE_EXTENSIONS)


def _skipped_member(info: zipfile.ZipInfo) -> bool:
    parts = PurePosixPath(info.filename).parts
    return info.is_dir() or any(part.startswith((".", "__MACOSX")) for part in parts)


def inspect_archive(path: Path, name: str) -> list[zipfile.ZipInfo]:
    """The members to import, after refusing zip bombs, nested archives and encryption."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(
            "bad_archive", f"“{name}” is not a readable zip archive ({exc})."
        ) from exc
    with archive:
        members = [info for info in archive.infolist() if not _skipped_member(info)]
    limit = settings.IMPORT_MAX_ARCHIVE_MEMBERS
    if len(members) > limit:
        raise SourceError(
            "archive_too_large",
            f"“{name}” holds {len(members):,} files; an import takes at most {limit:,}.",
        )
    expanded = sum(info.file_size for info in members)
    if expanded > settings.IMPORT_MAX_ARCHIVE_BYTES:
        raise SourceError(
            "zip_bomb",
            f"“{name}” would expand to {human_bytes(expanded)}, more than the "
            f"{human_bytes(settings.IMPORT_MAX_ARCHIVE_BYTES)} an import may unpack; it looks "
            "like a zip bomb and was not opened.",
        )
    ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
    for info in members:
        if info.file_size > 1_000_000 and info.file_size > ratio * max(info.compress_size, 1):
            raise SourceError(
                "zip_bomb",
                f"“{name}” member “{info.filename}” is compressed "
                f"{info.file_size // max(info.compress_size, 1):,} to 1 (the limit is {ratio} "
                "to 1); it looks like a zip bomb and was not opened.",
            )
        if info.flag_bits & 0x1:
            raise SourceError(
                "encrypted_archive",
                f"“{name}” member “{info.filename}” is encrypted; zip it without a password.",
            )
        if info.filename.lower().endswith((".zip", ".gz", ".tar", ".7z", ".rar")):
            raise SourceError(
                "nested_archive",
                f"“{name}” contains another archive, “{info.filename}”; unpack it first.",
            )
    if not members:
        raise SourceError("empty_archive", f"“{name}” contains no files.")
    return members


def _member_opener(path: Path, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    # zipfile never yields more than a member's declared size and checks its CRC at the
    # end, so a header that lies about the size ends in BadZipFile, not in a flood.
    def opener() -> IO[bytes]:
        return zipfile.ZipFile(path).open(info)

    return opener


def source_files(path: Path, name: str, requested: str | None) -> Iterator[SourceFile]:
    """The files an upload stands for: itself, or each member of a zip archive."""
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    if is_archive(head, name) and not name.lower().endswith(OFFICE_EXTENSIONS):
        for info in inspect_archive(path, name):
            label = f"{name}/{info.filename}"
            fmt = detect_format(info.filename, requested)
            yield SourceFile(label, fmt or "", _member_opener(path, info))
        return
    sniff(head, name)
    fmt = detect_format(name, requested)
    if fmt is None:
        raise SourceError(
            "unknown_format",
            f"Cannot tell the format of “{name}” from its name; import {ACCEPTED}, or choose "
            "the format.",
        )
    yield SourceFile(name, fmt, lambda: path.open("rb"))


def check_size(name: str, size: int) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise SourceError(
            "file_too_large",
            f"“{name}” has {human_bytes(size)}; an import file may have at most "
            f"{human_bytes(limit)} (UPLOAD_MAX_BYTES). Split it, or zip it.",
        )


def check_upload(path: Path, name: str, requested: str | None) -> None:
    """Everything that can be said about an upload before the job runs, raised at once."""
    size = path.stat().st_size
    check_size(name, size)
    if size == 0:
        raise SourceError("empty_file", f"“{name}” is empty.")
    if requested and requested not in (*FORMATS, "auto"):
        raise SourceError(
            "unknown_format",
            f"“{requested}” is not an import format; use one of {', '.join(FORMATS)}.",
        )
    try:
        for source in source_files(path, name, requested):
            # source_files sniffed a plain upload already; a member without a format is
            # reported when the job reads the archive.
            if source.name == name or not source.format:
                continue
            with source.opener() as stream:
                sniff(stream.read(SNIFF_BYTES), source.name)
    except zipfile.BadZipFile as exc:
        raise SourceError("bad_archive", f"“{name}” is a damaged zip archive ({exc}).") from exc
