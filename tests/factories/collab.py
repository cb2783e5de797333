"""Factories for collab."""

# === Attachments (collab-b) ======================================================================
# Real little files of each accepted kind, and disguised ones, built in memory; `attach()` uploads
# through the service (the way every attachment is made), AttachmentFactory makes rows directly
# for volume (query counts).

import hashlib
import io
import struct
import zipfile
import zlib

import factory
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.models import Attachment, AttachmentVersion, Comment
from collab.targets import program_id_of

from .users import UserFactory


def pdf_bytes(text: str = "Signed business case") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
        + f"4 0 obj << /Length {len(body)} >> stream\n".encode()
        + body
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def gif_bytes() -> bytes:
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def exe_bytes() -> bytes:
    dos_header = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
    return dos_header + b"This program cannot be run in DOS mode."


def html_bytes() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg_bytes() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


_OOXML = "application/vnd.openxmlformats-officedocument"
_OOXML_MAIN = {
    "docx": ("word/document.xml", f"{_OOXML}.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", f"{_OOXML}.spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", f"{_OOXML}.presentationml.presentation.main+xml"),
}


def ooxml_bytes(ext: str = "docx", *, main_type: str | None = None, content_types: bool = True) -> bytes:
    part, declared = _OOXML_MAIN[ext]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if content_types:
            archive.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                f'<Override PartName="/{part}" ContentType="{main_type or declared}"/></Types>',
            )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


def odf_bytes(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # first and stored, as ODF requires
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """An uploaded file as a form or the API receives it (the declared type is ignored)."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def attach(target, user, name: str = "evidence.pdf", content: bytes | None = None):
    """Upload through collab.services.attachments (the way every attachment is made)."""
    from collab.services.attachments import attachment_upload

    return attachment_upload(user=user, target=target, file=upload(name, pdf_bytes() if content is None else content))


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A live attachment on `target` with one PDF version (rows made directly, for volume)."""

    class Meta:
        model = Attachment
        exclude = ("target",)
        skip_postgeneration_save = True

    target = None
    content_type = factory.LazyAttribute(lambda a: ContentType.objects.get_for_model(type(a.target)))
    object_id = factory.LazyAttribute(lambda a: a.target.pk)
    program_id = factory.LazyAttribute(lambda a: program_id_of(a.target))
    name = factory.Sequence(lambda n: f"document-{n}.pdf")
    uploaded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def versions(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook signature
        if create:
            for number in range(1, (extracted or 1) + 1):
                AttachmentVersionFactory(attachment=obj, number=number, uploaded_by=obj.uploaded_by)


class AttachmentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttachmentVersion
        exclude = ("data",)

    attachment = factory.SubFactory(AttachmentFactory)
    number = 1
    data = factory.LazyAttribute(lambda v: pdf_bytes(f"version {v.number}"))
    sha256 = factory.LazyAttribute(lambda v: hashlib.sha256(v.data).hexdigest())
    size = factory.LazyAttribute(lambda v: len(v.data))
    content_type = "application/pdf"
    uploaded_by = factory.SubFactory(UserFactory)
    file = factory.LazyAttribute(lambda v: SimpleUploadedFile("f.pdf", v.data))


# === Comments (collab-a) =========================================================================


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on `target` (required: any object of collab.targets), written straight to the
    table (use collab.services.comments to test the rules)."""

    class Meta:
        model = Comment
        exclude = ["target"]

    target = None
    content_type = factory.LazyAttribute(lambda c: ContentType.objects.get_for_model(type(c.target)))
    object_id = factory.LazyAttribute(lambda c: c.target.pk)
    program_id = factory.LazyAttribute(lambda c: program_id_of(c.target))
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}")
