"""Scannable codes drawn on the server: a QR code as inline SVG (segno), no script or image file needed,
sharp when printed."""

import segno
from markupsafe import Markup


def qr_svg(text: str, label: str) -> Markup:
    """`text` as a QR code, an accessible image named `label` (the scan box reads `text` back)."""
    svg = segno.make(text, error="m").svg_inline(scale=4, border=2, omitsize=True)
    return Markup('<div class="qr" role="img" aria-label="{}">{}</div>').format(label, Markup(svg))
