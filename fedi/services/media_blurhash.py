"""BlurHash (https://blurha.sh): the short text a client paints as a blurred placeholder while a
picture loads, which Mastodon's MediaAttachment entity carries in `blurhash`. Computed from the
small preview with Mastodon's 4x4 components, after shrinking it to a few hundred pixels (the
hash keeps only the lowest frequencies, so the result barely differs and costs a millisecond or
two)."""

from __future__ import annotations

import math

from PIL import Image

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
SAMPLE = 32  # the longest side the hash is computed over
_TO_LINEAR = [  # sRGB byte -> linear light
    v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    for v in (i / 255 for i in range(256))
]


def _base83(value: int, length: int) -> str:
    return "".join(ALPHABET[(value // 83 ** (length - i)) % 83] for i in range(1, length + 1))


def _to_srgb(value: float) -> int:
    v = min(1.0, max(0.0, value))
    if v <= 0.0031308:
        return int(v * 12.92 * 255 + 0.5)
    return int((1.055 * v ** (1 / 2.4) - 0.055) * 255 + 0.5)


def _sign_sqrt(value: float) -> float:
    return math.copysign(abs(value) ** 0.5, value)


def _factors(image: Image.Image, cx: int, cy: int) -> list[tuple[float, float, float]]:
    width, height = image.size
    raw = image.tobytes()  # RGB, row by row
    linear = [(_TO_LINEAR[raw[k]], _TO_LINEAR[raw[k + 1]], _TO_LINEAR[raw[k + 2]])
              for k in range(0, len(raw), 3)]  # fmt: skip
    cos_x = [[math.cos(math.pi * i * x / width) for x in range(width)] for i in range(cx)]
    cos_y = [[math.cos(math.pi * j * y / height) for y in range(height)] for j in range(cy)]
    factors = []
    for j in range(cy):
        for i in range(cx):
            r = g = b = 0.0
            for y in range(height):
                weight_y, row = cos_y[j][y], y * width
                for x in range(width):
                    w = weight_y * cos_x[i][x]
                    pr, pg, pb = linear[row + x]
                    r, g, b = r + w * pr, g + w * pg, b + w * pb
            scale = (1 if i == j == 0 else 2) / (width * height)
            factors.append((r * scale, g * scale, b * scale))
    return factors


def encode(image: Image.Image, x_components: int = 4, y_components: int = 4) -> str:
    """The BlurHash of `image` (any mode; transparency is ignored, as the format has none)."""
    sample = image.convert("RGB")
    sample.thumbnail((SAMPLE, SAMPLE), Image.Resampling.BILINEAR)
    factors = _factors(sample, x_components, y_components)
    dc, ac = factors[0], factors[1:]
    parts = [_base83((x_components - 1) + (y_components - 1) * 9, 1)]
    if ac:
        largest = max(abs(v) for f in ac for v in f)
        quantised = int(max(0, min(82, math.floor(largest * 166 - 0.5))))
        maximum = (quantised + 1) / 166
    else:
        quantised, maximum = 0, 1.0
    parts.append(_base83(quantised, 1))
    parts.append(_base83((_to_srgb(dc[0]) << 16) + (_to_srgb(dc[1]) << 8) + _to_srgb(dc[2]), 4))
    for f in ac:
        q = [int(max(0, min(18, math.floor(_sign_sqrt(v / maximum) * 9 + 9.5)))) for v in f]
        parts.append(_base83(q[0] * 19 * 19 + q[1] * 19 + q[2], 2))
    return "".join(parts)
