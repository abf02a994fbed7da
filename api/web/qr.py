"""The pickup code as a QR code, drawn server-side as SVG (segno): the store console's handover field
takes exactly what a scanner reads from it, the six digits of the code. The receipt's return code is
the order id as a QR code, for the returns screen's field."""

import io

import segno
from markupsafe import Markup


def pickup_qr(code: str, label: str, scale: int = 8) -> Markup:
    """An inline SVG of `code` (a quiet zone of 4 modules), named `label` for screen readers."""
    svg = segno.make(code, micro=False).svg_inline(scale=scale, border=4, svgclass="qr", lineclass=None)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1))


def pickup_qr_file(code: str, scale: int = 8) -> str:
    """The same code as a standalone SVG document (the ready email links to it)."""
    return _qr_file(code, scale)


def return_code_file(order_id: str, scale: int = 6) -> str:
    """The receipt's return code: the order id as a QR code (the returns screen's field takes it)."""
    return _qr_file(order_id, scale)


def _qr_file(text: str, scale: int) -> str:
    out = io.BytesIO()
    segno.make(text, micro=False).save(out, kind="svg", scale=scale, border=4)
    return out.getvalue().decode()
