"""Video, audio and animated GIFs with PyAV (FFmpeg in the wheel), run by the media worker only
(services/media_processing.py), never in a web request.

Every input is opened from a local temporary file with the one demuxer services/media_sniff.py
named for its content, through the file protocol alone (no network); FFmpeg never guesses a
format. Its header is checked before anything is decoded: stream counts,
codecs from a short list, pixels per frame, frame rate and duration (`probe`). Decoding is
streamed, one frame at a time; nothing keeps a whole video in memory.

- Animated GIF and video without sound -> H.264 MP4 (`gifv`, no audio track);
- video -> H.264/AAC MP4 within Mastodon's limits, remuxed as it is when it already fits
  (H.264 in yuv420p, AAC or no sound, 60 frames a second at most);
- audio -> MP3 (an MP3 is copied as it is, without its tags);
and each gives its poster frame (a Pillow image) and Mastodon's `meta`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.audio.stream import AudioStream
from av.video.stream import VideoStream
from PIL import Image

VIDEO_MATRIX_LIMIT = 8_294_400  # 3840x2160, Mastodon's MAX_VIDEO_MATRIX_LIMIT
VIDEO_FRAME_RATE_LIMIT = 120  # Mastodon's MAX_VIDEO_FRAME_RATE
MAX_FRAME_RATE = 60  # what a re-encoded video keeps at most, as Mastodon
MAX_VIDEO_FRAMES = 36_000  # Mastodon's MAX_VIDEO_FRAMES
MAX_AUDIO_SECONDS = 3 * 3600  # a long podcast; a few bytes of silence may claim days
MAX_STREAMS = 8
VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "theora", "gif", "mjpeg"}
AUDIO_CODECS = {
    "aac", "mp3", "opus", "vorbis", "flac", "alac", "pcm_s16le", "pcm_s24le", "pcm_s32le",
    "pcm_f32le", "pcm_u8", "pcm_s16be",
}  # fmt: skip
PASSTHROUGH_PIXELS = {"yuv420p", "yuvj420p"}
INPUT_OPTIONS = {"protocol_whitelist": "file"}
THREADS = 2  # x264's threads per file (FFmpeg's default is one); decoding takes one
# x264's "veryfast" with a short look-ahead and no B-frames: fast, and the frames it holds (a
# 1080p frame with its interpolated planes is several megabytes) stay few: about 110 MB at 1080p.
X264 = {
    "preset": "veryfast",
    "crf": "23",
    "x264-params": "rc-lookahead=4:sync-lookahead=0:bframes=0",
}


def codec_of(stream: Any) -> str:
    """The codec's own name ("mp3"), not its decoder's ("mp3float")."""
    return stream.codec_context.codec.canonical_name


class MediaError(ValueError):
    """The file cannot be processed (unreadable, truncated, over a limit, not allowed)."""


@dataclass
class Probe:
    """What the container's header says, checked against the limits."""

    reader: str
    video: VideoStream | None
    audio: AudioStream | None
    duration: float  # seconds
    fps: Fraction | None
    width: int = 0
    height: int = 0


@dataclass
class Result:
    """A processed file (written at the output path): its content type, media type (video,
    gifv or audio), Mastodon's `meta`, and a poster frame when there is a picture."""

    content_type: str
    kind: str
    meta: dict[str, Any]
    poster: Image.Image | None


def _open(path: Path, reader: str) -> Any:
    """`path` (a local temporary file) read by the demuxer `reader` only, through the file
    protocol only."""
    try:
        return av.open(str(path), mode="r", format=reader, options=INPUT_OPTIONS,
                       metadata_errors="ignore")  # fmt: skip
    except (av.FFmpegError, ValueError, OSError) as err:
        raise MediaError(f"unreadable: {err}") from None


def _seconds(container: Any, stream: Any) -> float:
    if stream is not None and stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return 0.0


def probe(container: Any, reader: str) -> Probe:
    """Check the header of an opened container; MediaError when it breaks a rule."""
    streams = list(container.streams)
    if len(streams) > MAX_STREAMS:
        raise MediaError("too many streams")
    pictures = [s for s in container.streams.video if not _attached_picture(s)]
    video = pictures[0] if pictures else None
    audio = container.streams.audio[0] if container.streams.audio else None
    if video is None and audio is None:
        raise MediaError("no video or audio stream")
    result = Probe(reader, video, audio, _seconds(container, video or audio), None)
    if video is not None:
        if codec_of(video) not in VIDEO_CODECS:
            raise MediaError(f"video codec {codec_of(video)} is not accepted")
        width, height = video.codec_context.width, video.codec_context.height
        if not width or not height or width * height > VIDEO_MATRIX_LIMIT:
            raise MediaError(f"{width}x{height} videos are not supported")
        rate = video.average_rate or video.guessed_rate or Fraction(25)
        if rate > VIDEO_FRAME_RATE_LIMIT:
            raise MediaError(f"{float(rate):.0f} frames per second is over the limit")
        if (
            result.duration * float(rate) > MAX_VIDEO_FRAMES
            or (video.frames or 0) > MAX_VIDEO_FRAMES
        ):
            raise MediaError("the video is too long")
        result.fps, result.width, result.height = Fraction(rate), width, height
    if audio is not None:
        if codec_of(audio) not in AUDIO_CODECS:
            raise MediaError(f"audio codec {codec_of(audio)} is not accepted")
        if result.duration > MAX_AUDIO_SECONDS:
            raise MediaError("the audio is too long")
    return result


def _attached_picture(stream: Any) -> bool:
    """A cover picture in an audio file (an MP3's APIC, an M4A's covr) is no video."""
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def kind_of(path: Path, reader: str) -> str:
    """ "video", "gifv" (a picture without sound) or "audio", from the checked header."""
    container = _open(path, reader)
    try:
        found = probe(container, reader)
    finally:
        container.close()
    if found.video is None:
        return "audio"
    return "video" if found.audio is not None else "gifv"


def _even(n: int) -> int:
    return max(2, n - n % 2)


def _passthrough(found: Probe, gifv: bool) -> bool:
    video = found.video
    assert video is not None
    audio_fits = gifv or found.audio is None or codec_of(found.audio) == "aac"
    return (
        found.reader == "mov"
        and codec_of(video) == "h264"
        and video.codec_context.pix_fmt in PASSTHROUGH_PIXELS
        and found.fps is not None
        and found.fps <= MAX_FRAME_RATE
        and audio_fits
    )


def transcode_video(source: Path, reader: str, target: Path, *, gifv: bool) -> Result:
    """`source` as an MP4 at `target` (copied when it fits, else re-encoded), with its poster.
    A video shot on its side keeps its display rotation (players turn it), the poster and the
    sizes in `meta` are upright."""
    container = _open(source, reader)
    try:
        found = probe(container, reader)
        if found.video is None:
            raise MediaError("no video stream")
        poster, rotation = _first_picture(source, reader, found.video.index)
        if _passthrough(found, gifv):
            _remux(container, found, target, gifv=gifv)
        else:
            _reencode(container, found, target, gifv=gifv, rotation=rotation)
    except (av.FFmpegError, EOFError) as err:
        raise MediaError(f"cannot decode: {err}") from None
    finally:
        container.close()
    meta = video_meta(target, turned=rotation % 180 == 90)
    return Result("video/mp4", "gifv" if gifv else "video", meta, poster)


def _first_picture(source: Path, reader: str, index: int) -> tuple[Image.Image, int]:
    """The first picture of the video stream, upright, and its display rotation (degrees
    counterclockwise, 0, 90, 180 or 270)."""
    container = _open(source, reader)
    try:
        for frame in container.decode(container.streams.video[_position(container, index)]):
            rotation = round((frame.rotation or 0) / 90) * 90 % 360
            picture = frame.to_image()
            return (picture.rotate(rotation, expand=True) if rotation else picture), rotation
    finally:
        container.close()
    raise MediaError("no picture in the video")


def _position(container: Any, index: int) -> int:
    return next(n for n, s in enumerate(container.streams.video) if s.index == index)


def _remux(container: Any, found: Probe, target: Path, *, gifv: bool) -> None:
    """The streams copied as they are into a new MP4 (its moov first, no metadata of the
    original's; the display rotation comes with the stream's parameters)."""
    inputs = [found.video] + ([found.audio] if found.audio is not None and not gifv else [])
    with av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        outputs = {s.index: out.add_stream_from_template(s) for s in inputs}
        packets = 0
        for packet in container.demux(inputs):
            if packet.dts is None:
                continue
            packets += 1
            if packets > MAX_VIDEO_FRAMES * 4:
                raise MediaError("the video breaks its limits while copying")
            packet.stream = outputs[packet.stream.index]
            out.mux(packet)


def _reencode(container: Any, found: Probe, target: Path, *, gifv: bool, rotation: int) -> None:
    video = found.video
    assert video is not None and found.fps is not None
    rate = min(found.fps, Fraction(MAX_FRAME_RATE))
    width, height = _even(found.width), _even(found.height)
    audio = None if gifv else found.audio
    video.codec_context.thread_count = 1  # each decoding thread holds frames of its own
    with av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        encoder = out.add_stream("libx264", rate=rate, options=X264)
        encoder.codec_context.thread_count = THREADS
        encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
        encoder.codec_context.time_base = Fraction(1, 1000)
        if rotation:
            encoder.set_display_rotation(rotation)
        sound = _AudioOut(out, "aac", audio) if audio is not None else None
        step = 1 / float(rate)
        last: float | None = None
        count = 0
        inputs = [video] + ([audio] if audio is not None else [])
        for packet in container.demux(inputs):
            for frame in packet.decode():
                if audio is not None and packet.stream.index == audio.index:
                    sound.add(frame)  # type: ignore[union-attr]
                    continue
                count += 1
                if count > MAX_VIDEO_FRAMES or frame.width * frame.height > VIDEO_MATRIX_LIMIT:
                    raise MediaError("the video breaks its limits while decoding")
                at = frame.time if frame.time is not None else (count - 1) * step
                if last is not None and at < last + step * 0.99:
                    continue  # over the frame rate kept: dropped
                last = at
                picture = frame.reformat(width=width, height=height, format="yuv420p")
                picture.pts, picture.time_base = round(at * 1000), Fraction(1, 1000)
                for encoded in encoder.encode(picture):
                    out.mux(encoded)
        for encoded in encoder.encode():
            out.mux(encoded)
        if sound is not None:
            sound.finish()
    if count == 0:
        raise MediaError("no picture in the video")


class _AudioOut:
    """An audio encoder fed with any decoded frames: resampled, cut to the encoder's frame size,
    timed by the samples written."""

    FRAME = {"aac": 1024, "libmp3lame": 1152}

    def __init__(self, out: Any, codec: str, source: AudioStream) -> None:
        rate = source.codec_context.sample_rate or 48_000
        rate = rate if rate in (44_100, 48_000) else 48_000
        layout = "mono" if source.codec_context.channels == 1 else "stereo"
        self.out = out
        self.stream = out.add_stream(codec, rate=rate)
        self.stream.layout = layout
        self.stream.bit_rate = 160_000 if codec == "aac" else 192_000
        self.resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        self.fifo = av.AudioFifo()
        self.size = self.FRAME[codec]
        self.rate = rate
        self.samples = 0

    def add(self, frame: Any) -> None:
        frame.pts = None
        for piece in self.resampler.resample(frame):
            self.fifo.write(piece)
        self._drain(self.size)
        if self.samples > MAX_AUDIO_SECONDS * self.rate:
            raise MediaError("the audio is too long")

    def _drain(self, size: int, partial: bool = False) -> None:
        while self.fifo.samples >= size or (partial and self.fifo.samples):
            piece = self.fifo.read(min(size, self.fifo.samples))
            piece.pts, piece.time_base = self.samples, Fraction(1, self.rate)
            self.samples += piece.samples
            for packet in self.stream.encode(piece):
                self.out.mux(packet)

    def finish(self) -> None:
        for piece in self.resampler.resample(None):
            self.fifo.write(piece)
        self._drain(self.size, partial=True)
        for packet in self.stream.encode(None):
            self.out.mux(packet)


def transcode_audio(source: Path, reader: str, target: Path) -> Result:
    """`source` as an MP3 at `target`: an MP3 copied without its tags, anything else encoded."""
    container = _open(source, reader)
    try:
        found = probe(container, reader)
        audio = found.audio
        if audio is None:
            raise MediaError("no audio stream")
        with av.open(str(target), "w", format="mp3", options={"id3v2_version": "0"}) as out:
            if codec_of(audio) == "mp3":
                copy = out.add_stream_from_template(audio)
                for packet in container.demux(audio):
                    if packet.dts is not None:
                        packet.stream = copy
                        out.mux(packet)
            else:
                sound = _AudioOut(out, "libmp3lame", audio)
                for frame in _frames(container, audio):
                    sound.add(frame)
                sound.finish()
    except (av.FFmpegError, EOFError) as err:
        raise MediaError(f"cannot decode: {err}") from None
    finally:
        container.close()
    return Result("audio/mpeg", "audio", audio_meta(target), None)


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    for packet in container.demux(stream):
        yield from packet.decode()


def _length(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}.{int(seconds * 100) % 100:02d}"


def _audio_fields(audio: Any) -> dict[str, Any]:
    ctx = audio.codec_context
    channels = {1: "mono", 2: "stereo"}.get(ctx.channels, f"{ctx.channels} channels")
    return {"audio_encode": codec_of(audio), "audio_bitrate": f"{ctx.sample_rate} Hz",
            "audio_channels": channels}  # fmt: skip


def video_meta(path: Path, *, turned: bool = False) -> dict[str, Any]:
    """Mastodon's meta of a processed MP4 (read back from the file written), its sizes as it is
    shown (`turned`: a quarter turn swaps them)."""
    container = _open(path, "mov")
    try:
        video = container.streams.video[0]
        width, height = video.codec_context.width, video.codec_context.height
        if turned:
            width, height = height, width
        rate = video.average_rate or video.guessed_rate or Fraction(0)
        duration = _seconds(container, video)
        meta: dict[str, Any] = {
            "length": _length(duration), "duration": round(duration, 3),
            "fps": round(float(rate)), "size": f"{width}x{height}", "width": width,
            "height": height, "aspect": width / height,
            "original": {"width": width, "height": height,
                         "frame_rate": f"{rate.numerator}/{rate.denominator}",
                         "duration": round(duration, 3), "bitrate": container.bit_rate or 0},
        }  # fmt: skip
        if container.streams.audio:
            meta |= _audio_fields(container.streams.audio[0])
        return meta
    finally:
        container.close()


def audio_meta(path: Path) -> dict[str, Any]:
    container = _open(path, "mp3")
    try:
        audio = container.streams.audio[0]
        duration = _seconds(container, audio)
        return {"length": _length(duration), "duration": round(duration, 3),
                **_audio_fields(audio),
                "original": {"duration": round(duration, 3),
                             "bitrate": container.bit_rate or 0}}  # fmt: skip
    finally:
        container.close()
