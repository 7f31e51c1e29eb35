"""The flyer that brings families in: one A4 page, as a PDF to print and a PNG to post.

It says what the desk is and what a family can do with it, that it is no emergency service,
and carries a QR code for the bot's Telegram link with the source's id as its start
parameter (flows/arrivals.py counts the families it brings), plus a second code for the LINE
account when one is configured. The Japanese font is IPAex Gothic from the matplotlib-fontja
package, embedded in the PDF, so the flyer prints the same on any computer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from content.base import N_, Translator
from content.sources import Source

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

FONT = "IPAexGothic"
# What the PNG is rendered at: sharp enough to print, and for a phone to read the code off.
PNG_DPI = 150

NAME = N_("tsunagu")
TAGLINE = N_("Chiyoda City's chat desk for families of children who need medical care at home")
FOR_WHOM = N_(
    "For families whose child lives with a ventilator, tracheostomy, tube feeding, suction,"
    " oxygen or other medical care at home."
)
WHAT_HEADING = N_("What you can do")
WHAT_ASK = N_(
    "Ask at any hour, in your own words: services and support in Chiyoda City, which office"
    " does what, how to reach a coordinator."
)
WHAT_COORDINATOR = N_(
    "Ask for a coordinator (医療的ケア児等コーディネーター): with your consent your request"
    " goes to them, and they contact you during office hours."
)
WHAT_LANGUAGES = N_("In Japanese or in English.")
PRIVACY = N_(
    "Your child's details are asked for only when you request a coordinator, and only with"
    " your consent."
)
HOW_TELEGRAM = N_(
    "Scan the code with your smartphone's camera: the chat opens in Telegram (if you do not"
    " have it yet, install the free app first)."
)
TELEGRAM_LABEL = N_("Telegram")
LINE_LABEL = N_("LINE: add the desk as a friend")
NOT_EMERGENCY = N_("This is not an emergency service.")
EMERGENCY_NUMBERS = N_(
    "In an emergency call 119. Not sure? #7119 (24 hours). Advice about a sick child: #8000."
)
NO_MEDICAL_ADVICE = N_("The chat gives no medical advice.")
HANDED_OUT_AT = N_("Handed out at: {place}")

_INK = "#1f2d3d"
_BAND = "#2f6b9a"
_ALERT = "#b3261e"


@dataclass(frozen=True)
class Code:
    """One QR code on the flyer: a heading over it and its link printed under it."""

    label: str
    url: str


@dataclass(frozen=True)
class Written:
    pdf: Path
    png: Path


def telegram_link(username: str, source_id: str) -> str:
    return f"https://t.me/{username}?start={source_id}"


def font_path() -> Path:
    """IPAex Gothic as the matplotlib-fontja package ships it."""
    from matplotlib_fontja import get_font_ttf_path

    return Path(get_font_ttf_path())


def write_flyer(source: Source, telegram_url: str, line_url: str | None, out_dir: Path,
                t: Translator) -> Written:
    """Write ``flyer-<source>-<lang>.pdf`` and ``.png`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    codes = [Code(t.gettext(TELEGRAM_LABEL), telegram_url)]
    if line_url is not None:
        codes.append(Code(t.gettext(LINE_LABEL), line_url))
    pdf = render_pdf(source, codes, t)
    stem = f"flyer-{source.id}-{t.locale}"
    written = Written(out_dir / f"{stem}.pdf", out_dir / f"{stem}.png")
    written.pdf.write_bytes(pdf)
    written.png.write_bytes(render_png(pdf))
    return written


def render_pdf(source: Source, codes: Sequence[Code], t: Translator) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    _register_font()
    buffer = io.BytesIO()
    # invariant: no creation date or random id, so the same flyer gives the same bytes.
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"{t.gettext(NAME)} — {source.name.get(t.locale)}")
    _Page(canvas, t).draw(source, codes)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_png(pdf: bytes) -> bytes:
    """The PDF's one page as a PNG, drawn by PDFium: the same flyer, pixel for pixel."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=PNG_DPI / 72).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(PNG_DPI, PNG_DPI))
    return buffer.getvalue()


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        # TrueType fonts are embedded (as the subset used) in every PDF reportlab writes.
        pdfmetrics.registerFont(TTFont(FONT, str(font_path())))


class _Page:
    """Lays the flyer out from the top of an A4 page down."""

    MARGIN = 48.0

    def __init__(self, canvas: Canvas, t: Translator) -> None:
        from reportlab.lib.pagesizes import A4

        self.canvas = canvas
        self.t = t
        self.width, self.height = float(A4[0]), float(A4[1])
        self.left = self.MARGIN
        self.inner = self.width - 2 * self.MARGIN

    def _(self, message: str) -> str:
        return self.t.gettext(message)

    def paragraph(self, text: str, x: float, top: float, width: float, size: float,
                  colour: str = _INK, leading: float | None = None,
                  align: int = 0) -> float:
        """Draw ``text`` wrapped to ``width`` from ``top`` down; return its bottom."""
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph

        style = ParagraphStyle(
            "flyer", fontName=FONT, fontSize=size, leading=leading or size * 1.45,
            textColor=colour, alignment=align,
            # Japanese breaks between any two characters; English between words.
            wordWrap="CJK" if self.t.locale == "ja" else None,
        )
        paragraph = Paragraph(escape(text), style)
        _, height = paragraph.wrap(width, self.height)
        paragraph.drawOn(self.canvas, x, top - height)
        return top - float(height)

    def draw(self, source: Source, codes: Sequence[Code]) -> None:
        from reportlab.lib.colors import HexColor

        c = self.canvas
        _ = self._
        # The band grows with the tagline, which is longer in some languages.
        band = 30 + _measure(_(NAME), self.inner, 34, self.t.locale) + 8 + _measure(
            _(TAGLINE), self.inner, 15, self.t.locale) + 22
        c.setFillColor(HexColor(_BAND))
        c.rect(0, self.height - band, self.width, band, stroke=0, fill=1)
        y = self.paragraph(_(NAME), self.left, self.height - 30, self.inner, 34, "#ffffff")
        self.paragraph(_(TAGLINE), self.left, y - 8, self.inner, 15, "#ffffff")
        y = self.height - band - 22
        y = self.paragraph(_(FOR_WHOM), self.left, y, self.inner, 12.5)
        y = self.paragraph(_(WHAT_HEADING), self.left, y - 14, self.inner, 17, _BAND)
        for item in (WHAT_ASK, WHAT_COORDINATOR, WHAT_LANGUAGES):
            bullet_top = y - 6
            self.paragraph("●", self.left + 4, bullet_top, 14, 9, _BAND, leading=13.5 * 1.45)
            y = self.paragraph(_(item), self.left + 20, bullet_top, self.inner - 20, 13.5)
        y = self.paragraph(_(PRIVACY), self.left, y - 10, self.inner, 11)
        # From the foot up: where the flyer lies, then the emergency box; the codes get the
        # room that is left, so a longer text in one language shrinks them, never the page.
        place = _(HANDED_OUT_AT).format(place=source.name.get(self.t.locale))
        self.paragraph(place, self.left, self.MARGIN - 6, self.inner, 8.5, "#6b7785")
        box_top = self._emergency(self.MARGIN + 4)
        how = _measure(_(HOW_TELEGRAM), self.inner, 11, self.t.locale)
        y = self._codes(codes, y - 22, box_top + 18 + how + 10)
        self.paragraph(_(HOW_TELEGRAM), self.left, y - 10, self.inner, 11)

    def _codes(self, codes: Sequence[Code], top: float, lowest: float) -> float:
        """The QR codes side by side, each with its heading above and its link below, no
        lower than ``lowest``; returns their bottom."""
        c = self.canvas
        gap = 24.0
        column = (self.inner - gap * (len(codes) - 1)) / len(codes)
        locale = self.t.locale
        label = max(_measure(code.label, column, 13, locale) for code in codes)
        link = max(_measure(code.url, column, 9, locale) for code in codes)
        side = min(190.0, column, top - lowest - label - link - 12)
        for i, code in enumerate(codes):
            x = self.left + i * (column + gap)
            self.paragraph(code.label, x, top, column, 13, _BAND, align=1)
            qr_top = top - label - 4
            _draw_qr(c, code.url, x + (column - side) / 2, qr_top - side, side)
            self.paragraph(code.url, x, qr_top - side - 8, column, 9, align=1)
        return top - label - 4 - side - 8 - link

    def _emergency(self, bottom: float) -> float:
        """The box saying this is no emergency service, standing on ``bottom``; its top."""
        from reportlab.lib.colors import HexColor

        c = self.canvas
        pad = 12.0
        width = self.inner - 2 * pad
        # Laid out once to measure, then drawn inside its frame.
        lines = (self._(NOT_EMERGENCY), self._(EMERGENCY_NUMBERS), self._(NO_MEDICAL_ADVICE))
        sizes = (15.0, 12.5, 11.0)
        height = pad * 2 + sum(_measure(text, width, size, self.t.locale) for text, size
                               in zip(lines, sizes, strict=True))
        c.setStrokeColor(HexColor(_ALERT))
        c.setLineWidth(2)
        c.roundRect(self.left, bottom, self.inner, height, 8, stroke=1, fill=0)
        y = bottom + height - pad
        for text, size in zip(lines, sizes, strict=True):
            y = self.paragraph(text, self.left + pad, y, width, size,
                               _ALERT if size == sizes[0] else _INK)
        return bottom + height


def _measure(text: str, width: float, size: float, locale: str) -> float:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    style = ParagraphStyle("measure", fontName=FONT, fontSize=size, leading=size * 1.45,
                           wordWrap="CJK" if locale == "ja" else None)
    return float(Paragraph(escape(text), style).wrap(width, 10_000)[1])


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, side: float) -> None:
    """The QR code as vector squares, with the four-module quiet zone the standard asks."""
    import segno

    code = segno.make_qr(url, error="m")
    quiet = 4
    modules = code.symbol_size(scale=1, border=quiet)[0]
    unit = side / modules
    c = canvas
    c.setFillColor("#ffffff")
    c.rect(x, y, side, side, stroke=0, fill=1)
    c.setFillColor("#000000")
    for row, bits in enumerate(code.matrix):
        for col, bit in enumerate(bits):
            if bit:
                left = x + (col + quiet) * unit
                bottom = y + side - (row + quiet + 1) * unit
                # A hair wider than the module, so no white seam shows between neighbours.
                c.rect(left, bottom, unit + 0.05, unit + 0.05, stroke=0, fill=1)
