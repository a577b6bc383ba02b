"""Real media files made for tests and the media benchmark: pictures with Pillow, video and audio
with PyAV (a few frames, low resolution, so tests stay fast)."""

from __future__ import annotations

import io
import math
import struct
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw


def png(width: int = 64, height: int = 48, colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 80, height: int = 40, colour: str = "orange", quality: int = 85) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=quality)
    return out.getvalue()


def animated_gif(width: int = 40, height: int = 30, frames: int = 6) -> bytes:
    pictures = [
        Image.new("RGB", (width, height), (40 * n % 256, 120, 255 - 30 * n % 256))
        for n in range(frames)
    ]
    out = io.BytesIO()
    pictures[0].save(out, "GIF", save_all=True, append_images=pictures[1:], duration=100, loop=0)
    return out.getvalue()


def _picture(n: int, width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height), (20, 60 + n * 7 % 180, 200))
    image.paste(
        (250, 200, 0),
        (n * 3 % max(1, width - 8), height // 3, n * 3 % max(1, width - 8) + 8, height // 3 + 8),
    )
    return image


def _loop(width: int, height: int, pix_fmt: str) -> list:
    """30 video frames of a grainy gradient with a moving disc (what a camera's picture costs
    an encoder, roughly), in the encoder's pixel format."""
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    base = Image.blend(base, Image.effect_noise((width, height), 20).convert("RGB"), 0.2)
    frames = []
    for n in range(30):
        picture = base.copy()
        x, y = n * width // 45, height // 3 + n * 4
        ImageDraw.Draw(picture).ellipse((x, y, x + width // 6, y + height // 5), fill="gold")
        frames.append(av.VideoFrame.from_image(picture).reformat(format=pix_fmt))
    return frames


def _tone(stream, container, seconds: float) -> None:
    """A 440 Hz tone of about `seconds` through `stream`, in its encoder's sample format and
    frame size (the encoder is opened first to learn them)."""
    ctx = stream.codec_context
    if not ctx.is_open:
        ctx.open(strict=False)
    rate, size = ctx.sample_rate, ctx.frame_size or 1024
    resampler = av.AudioResampler(format=ctx.format.name, layout=ctx.layout.name, rate=rate)
    fifo = av.AudioFifo()
    total = math.ceil(seconds * rate / size) * size
    written = 0

    def drain(everything: bool = False) -> None:
        nonlocal written
        while fifo.samples >= size or (everything and fifo.samples):
            frame = fifo.read(min(size, fifo.samples))
            frame.pts, frame.time_base = written, Fraction(1, rate)
            written += frame.samples
            for packet in stream.encode(frame):
                container.mux(packet)

    for start in range(0, total, 1024):
        count = min(1024, total - start)
        wave = [math.sin(2 * math.pi * 440 * (start + i) / rate) * 0.3 for i in range(count)]
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=count)
        for plane in frame.planes:
            plane.update(struct.pack(f"<{count}f", *wave))
        frame.sample_rate = rate
        for piece in resampler.resample(frame):
            fifo.write(piece)
        drain()
    for piece in resampler.resample(None):
        fifo.write(piece)
    drain(everything=True)
    for packet in stream.encode(None):
        container.mux(packet)


def sound(fmt: str, codec: str, seconds: float = 0.5, rate: int = 48_000, layout="stereo") -> bytes:
    """Audio alone: `codec` in the container `fmt` (ogg, webm, flac, ipod for M4A, wav...)."""
    target = io.BytesIO()
    with av.open(target, "w", format=fmt) as out:
        options = {"strict": "experimental"} if codec == "vorbis" else {}
        stream = out.add_stream(codec, rate=rate, options=options)
        stream.layout = layout
        _tone(stream, out, seconds)
    return target.getvalue()


def video(
    *,
    width: int = 64,
    height: int = 48,
    frames: int = 10,
    fps: int = 10,
    sound: bool = True,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    fmt: str = "mp4",
    path: Path | None = None,
    preset: str | None = None,
    rotation: int = 0,
) -> bytes:
    """A short video (H.264 in MP4 by default), with a tone as sound unless `sound` is False;
    written to `path` when given (large benchmark files), else returned."""
    target: io.BytesIO | str = str(path) if path else io.BytesIO()
    with av.open(target, "w", format=fmt) as out:
        options = {"preset": preset} if preset else {}
        stream = out.add_stream(codec, rate=fps, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if rotation:  # shot on its side: players turn it (the display matrix)
            stream.set_display_rotation(rotation)
        audio = None
        if sound:
            audio = out.add_stream(
                "aac" if fmt in ("mp4", "mov") else "libopus",
                rate=44_100 if fmt in ("mp4", "mov") else 48_000,
            )
            audio.layout = "stereo"
        pictures = _loop(width, height, pix_fmt) if path else None
        for n in range(frames):
            if pictures is not None:  # big files: a loop of 30 pictures, converted once
                frame = pictures[n % len(pictures)]
                frame.pts = n
            else:
                frame = av.VideoFrame.from_image(_picture(n, width, height))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
        if audio is not None:
            _tone(audio, out, frames / fps)
    return b"" if path else target.getvalue()  # type: ignore[union-attr]


def mp3(seconds: float = 1.0, *, tagged: bool = True) -> bytes:
    """An MP3 tone, with an ID3 title tag (to see it stripped) unless `tagged` is False."""
    target = io.BytesIO()
    with av.open(target, "w", format="mp3") as out:
        if tagged:
            out.metadata["title"] = "Secret title"
        stream = out.add_stream("libmp3lame", rate=44_100)
        stream.layout = "stereo"
        _tone(stream, out, seconds)
    return target.getvalue()


def wav(seconds: float = 0.5) -> bytes:
    return sound("wav", "pcm_s16le", seconds, rate=44_100, layout="mono")


def probe(data: bytes, fmt: str) -> dict:
    """What PyAV reads in `data` (a processed file), decoding every frame to prove it plays."""
    with av.open(io.BytesIO(data), format=fmt) as container:
        found: dict = {"format": container.format.name, "metadata": dict(container.metadata)}
        for stream in container.streams:
            ctx = stream.codec_context
            found.setdefault(stream.type, []).append(
                {"codec": ctx.name, "width": getattr(ctx, "width", None),
                 "height": getattr(ctx, "height", None)}
            )  # fmt: skip
        found["frames"] = (
            sum(1 for _ in container.decode(video=0)) if container.streams.video else 0
        )
    return found
