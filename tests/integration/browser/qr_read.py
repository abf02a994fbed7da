"""Read the modules of a QR code back from the SVG the page shows (segno draws each row as horizontal
runs: `M x y` moves, `h n` paints n dark modules, `m dx dy` moves by), to compare with the QR code of the
payload the store console accepts."""

import re

import segno


def modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules (column, row) of the QR code drawn in `svg`, quiet zone included."""
    path = re.search(r'<path[^>]* d="([^"]+)"', svg)
    assert path, svg[:200]
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([-0-9. ]+)", path.group(1)):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            dark.update((int(x) + i, int(y)) for i in range(int(values[0])))
            x += values[0]
    return dark


def modules_of(payload: str, border: int = 4) -> set[tuple[int, int]]:
    """The dark modules of the QR code that encodes `payload` (segno's choice of version and mask)."""
    matrix = segno.make(payload, micro=False).matrix
    return {(c + border, r + border) for r, row in enumerate(matrix) for c, dark in enumerate(row) if dark}
