"""A small, strict multipart/form-data parser (the ``cgi`` module is gone in 3.13).

The body is already in memory and its size bounded by the caller. Parts are
split on the exact boundary bytes, so file content is returned byte for byte.

>>> body = (b'--XyZ\\r\\nContent-Disposition: form-data; name="csrf"\\r\\n\\r\\nabc\\r\\n'
...         b'--XyZ\\r\\nContent-Disposition: form-data; name="fichier"; filename="a\\xc3\\xa9.csv"\\r\\n'
...         b'Content-Type: text/csv\\r\\n\\r\\nid;objet\\r\\n1;x\\r\\n--XyZ--\\r\\n')
>>> form = parse_multipart(body, 'multipart/form-data; boundary=XyZ')
>>> form.fields["csrf"], form.files["fichier"].filename, form.files["fichier"].data
('abc', 'aé.csv', b'id;objet\\r\\n1;x')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from email.policy import HTTP

__all__ = ["MultipartError", "UploadedFile", "Form", "parse_multipart", "boundary_of"]

MAX_PARTS = 80  # the column-mapping form has one field per column of the registry (about 35)
MAX_FIELD_BYTES = 4096  # a text field (csrf token, choice) is short
_BOUNDARY = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$")  # RFC 2046 bchars


class MultipartError(ValueError):
    """The body is not a well-formed multipart/form-data body (French message)."""


@dataclass(frozen=True)
class UploadedFile:
    filename: str  # as sent by the browser: for display only, never a path
    content_type: str
    data: bytes


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)


def boundary_of(content_type: str) -> str:
    """The boundary parameter of a multipart/form-data Content-Type, checked."""
    msg = Message()
    msg["Content-Type"] = content_type
    if msg.get_content_type() != "multipart/form-data":
        raise MultipartError("le formulaire doit être envoyé en multipart/form-data.")
    boundary = msg.get_param("boundary")
    if not isinstance(boundary, str) or not _BOUNDARY.match(boundary) or boundary.endswith(" "):
        raise MultipartError("séparateur (boundary) du formulaire absent ou invalide.")
    return boundary


def parse_multipart(body: bytes, content_type: str) -> Form:
    """Split ``body`` into text fields and files. Raises MultipartError."""
    delim = b"\r\n--" + boundary_of(content_type).encode("ascii")
    pieces = (b"\r\n" + body).split(delim)
    if len(pieces) < 2:
        raise MultipartError("formulaire vide ou tronqué.")
    form = Form()
    closed = False
    for piece in pieces[1:]:
        if piece.startswith(b"--"):  # the closing delimiter
            closed = True
            break
        if not piece.startswith(b"\r\n"):
            raise MultipartError("formulaire mal formé.")
        if len(form.fields) + len(form.files) >= MAX_PARTS:
            raise MultipartError("trop de champs dans le formulaire.")
        head, sep, data = piece[2:].partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("en-têtes d'une partie du formulaire mal formés.")
        _add_part(form, head, data)
    if not closed:
        raise MultipartError("formulaire tronqué (fin du formulaire absente).")
    return form


def _add_part(form: Form, head: bytes, data: bytes) -> None:
    headers = HeaderParser(policy=HTTP).parsestr(head.decode("utf-8", "replace") + "\r\n\r\n")
    disposition = headers.get("Content-Disposition")
    if disposition is None or disposition.content_disposition != "form-data":  # type: ignore[union-attr]
        raise MultipartError("partie du formulaire sans Content-Disposition form-data.")
    params = disposition.params  # type: ignore[union-attr]
    name = params.get("name")
    if not name:
        raise MultipartError("champ de formulaire sans nom.")
    if "filename" in params:
        form.files[name] = UploadedFile(
            filename=str(params.get("filename") or ""),
            content_type=str(headers.get("Content-Type") or "application/octet-stream"),
            data=data,
        )
        return
    if len(data) > MAX_FIELD_BYTES:
        raise MultipartError(f"champ « {name} » trop long.")
    form.fields[name] = data.decode("utf-8", "replace")
