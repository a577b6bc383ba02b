"""BlurHash (https://blurha.sh): the short text from which a client paints a blurred preview while
a picture loads, which Mastodon's MediaAttachment entity carries in `blurhash`. Encoded by the
`blurhash` package with Mastodon's 4x4 components, over the picture shrunk to a few dozen pixels
(the hash keeps only the lowest frequencies, so the result barely differs and costs a few
milliseconds)."""

from __future__ import annotations

import blurhash
from PIL import Image

SAMPLE = 32  # the longest side the hash is computed over


def encode(image: Image.Image, x_components: int = 4, y_components: int = 4) -> str:
    """The BlurHash of `image` (any mode; transparency is ignored, as the format has none)."""
    sample = image.convert("RGB")
    sample.thumbnail((SAMPLE, SAMPLE), Image.Resampling.BILINEAR)
    width, height = sample.size
    raw = sample.tobytes()  # RGB, row by row
    rows = [
        [list(raw[(y * width + x) * 3 : (y * width + x) * 3 + 3]) for x in range(width)]
        for y in range(height)
    ]
    return blurhash.encode(rows, components_x=x_components, components_y=y_components)
