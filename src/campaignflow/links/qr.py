"""QR codes of a link's short URL, for posters and flyers (PNG for print shops, SVG to scale)."""

from __future__ import annotations

import io

import segno

SCALE = 10  # pixels per module in the PNG: a version-3 code is 370 px, sharp on an A4 poster
BORDER = 4  # the quiet zone the QR standard asks for


def make(url: str) -> segno.QRCode:
    # Level M survives a smudge or a fold (15 %) and keeps the symbol small.
    return segno.make(url, error="m", micro=False)


def png(url: str, *, scale: int = SCALE) -> bytes:
    buffer = io.BytesIO()
    make(url).save(buffer, kind="png", scale=scale, border=BORDER)
    return buffer.getvalue()


def svg(url: str, *, scale: int = SCALE) -> bytes:
    buffer = io.BytesIO()
    make(url).save(buffer, kind="svg", scale=scale, border=BORDER, xmldecl=True, svgns=True)
    return buffer.getvalue()
