"""A document's text from its bytes: plain text, Markdown, HTML (the visible text) and PDF
(each page's text, with pypdf). The text is what chunks and citations point into."""

import io
import logging
from html.parser import HTMLParser
from pathlib import PurePosixPath

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from bots.errors import UnreadableDocument

logger = logging.getLogger(__name__)

KINDS = {"text/plain": "text", "text/markdown": "markdown", "text/html": "html", "application/pdf": "pdf"}
_BY_SUFFIX = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
              ".html": "html", ".htm": "html", ".pdf": "pdf"}  # fmt: skip


def kind_of(data: bytes, content_type: str | None, filename: str | None) -> str:
    """text | markdown | html | pdf: the PDF signature first, then the declared type, then the name."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared in KINDS:
        return KINDS[declared]
    suffix = PurePosixPath(filename or "").suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if declared in ("", "application/octet-stream"):
        return "text"
    raise UnreadableDocument(
        f"Tipo no admitido: {declared}. Se admiten texto, Markdown, HTML y PDF.",
        fields={"file": ["Tipo de documento no admitido."]},
    )


def extract(data: bytes, kind: str) -> str:
    """The document's text, NUL characters dropped (PostgreSQL text cannot hold them)."""
    if kind == "pdf":
        text = _pdf(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UnreadableDocument("El documento no está en UTF-8.", fields={"file": ["No es UTF-8."]}) from exc
        if kind == "html":
            text = _html(text)
    text = text.replace("\x00", "").strip()
    if not text:
        raise UnreadableDocument("El documento no tiene texto.", fields={"file": ["Sin texto."]})
    return text


def _pdf(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument("El PDF está cifrado.", fields={"file": ["PDF cifrado."]})
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except UnreadableDocument:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as exc:  # what a broken PDF raises
        logger.info("unreadable pdf", extra={"error": type(exc).__name__})
        raise UnreadableDocument("El PDF no se pudo leer.", fields={"file": ["PDF inválido."]}) from exc


class _Visible(HTMLParser):
    """The text a reader sees: no scripts, styles or markup; block elements end a line."""

    HIDDEN = frozenset({"script", "style", "head", "template", "noscript"})
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
                        "header", "footer", "blockquote", "pre", "table", "ul", "ol", "title"})  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _html(markup: str) -> str:
    parser = _Visible()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text
