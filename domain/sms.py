"""How many SMS segments a text takes (GSM-7 when every character allows it, else UCS-2)."""

_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€")


def sms_segments(text: str) -> int:
    """Segments billed and delivered for `text`: 160/153 septets in GSM-7, 70/67 characters in UCS-2."""
    if all(char in _GSM7 or char in _GSM7_EXTENDED for char in text):
        septets = sum(2 if char in _GSM7_EXTENDED else 1 for char in text)
        return 1 if septets <= 160 else -(-septets // 153)
    return 1 if len(text) <= 70 else -(-len(text) // 67)
