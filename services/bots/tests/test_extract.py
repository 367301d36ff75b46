"""knowledge.extract, pure: a document's kind, and its text from its bytes."""

import io

import pytest
from pypdf import PdfWriter

from bots.errors import UnreadableDocument
from bots.knowledge.extract import extract, kind_of


@pytest.mark.parametrize(
    ("content_type", "filename", "kind"),
    [
        ("text/plain; charset=utf-8", None, "text"),
        ("text/markdown", "x.txt", "markdown"),
        ("TEXT/HTML", None, "html"),
        ("application/octet-stream", "notas.md", "markdown"),
        (None, "pagina.HTM", "html"),
        (None, "informe.pdf", "pdf"),
        ("application/octet-stream", "sin-extension", "text"),
        (None, None, "text"),
    ],
)
def test_declared_type_then_name_say_the_kind(content_type: str | None, filename: str | None, kind: str) -> None:
    assert kind_of(b"hola", content_type, filename) == kind


def test_the_pdf_signature_wins_over_what_is_declared() -> None:
    assert kind_of(b"%PDF-1.7\n...", "text/plain", "a.txt") == "pdf"


def test_an_unsupported_type_is_refused() -> None:
    with pytest.raises(UnreadableDocument) as refused:
        kind_of(b"x", "image/png", "foto.png")
    assert refused.value.fields == {"file": ["Tipo de documento no admitido."]}


def test_text_is_decoded_without_bom_nul_or_surrounding_blanks() -> None:
    assert extract("\ufeff  Riego\x00 diario \n".encode(), "markdown") == "Riego diario"


def test_text_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(UnreadableDocument, match="UTF-8"):
        extract("año".encode("latin-1"), "text")


def test_a_document_without_text_is_refused() -> None:
    with pytest.raises(UnreadableDocument, match="no tiene texto"):
        extract(b" \n\x00 ", "text")


def test_html_keeps_the_visible_text_with_blocks_and_line_breaks_on_their_own_lines() -> None:
    markup = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<script>alert(1)</script><h1>Riego</h1><p>Cada   &amp; <b>todos</b>\n los días</p>"
        "<ul><li>uno</li><li>dos</li></ul></body></html>"
    )
    assert extract(markup.encode(), "html") == "Riego\n\nCada & todos\nlos días\n\nuno\n\ndos"


def test_a_pdfs_pages_are_read() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    data = io.BytesIO()
    writer.write(data)
    # A blank page has no text: the refusal says so, which proves the PDF itself was read.
    with pytest.raises(UnreadableDocument, match="no tiene texto"):
        extract(data.getvalue(), "pdf")


def test_a_broken_pdf_is_refused() -> None:
    with pytest.raises(UnreadableDocument, match="no se pudo leer"):
        extract(b"%PDF-1.4\nbasura", "pdf")


def test_an_encrypted_pdf_is_refused() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secreto")
    data = io.BytesIO()
    writer.write(data)
    with pytest.raises(UnreadableDocument, match="cifrado"):
        extract(data.getvalue(), "pdf")
