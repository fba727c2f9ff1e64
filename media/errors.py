"""Why an uploaded creative file was refused, as typed errors the API turns into 4xx bodies."""

from __future__ import annotations

from ads.errors import DomainError


class MediaRejected(DomainError):
    """The file is not a usable creative; the subclasses say why."""

    status_code = 422
    code = "media_rejected"


class NotMp4(MediaRejected):
    """The bytes are not an MP4 (ISO-BMFF with an MP4 brand), whatever the file is called."""

    code = "media_not_mp4"


class TooLarge(MediaRejected):
    """The file is bigger than the upload limit."""

    status_code = 413
    code = "media_too_large"


class TooLong(MediaRejected):
    """The video runs longer than the creative limit."""

    code = "media_too_long"


class NoVideo(MediaRejected):
    """The MP4 has no video track (audio-only, or metadata only)."""

    code = "media_no_video"


class Corrupt(MediaRejected):
    """The MP4 is truncated, damaged, empty or cannot be decoded."""

    code = "media_corrupt"


class TranscodeFailed(MediaRejected):
    """The file passed the probe but the encoder could not turn it into a rendition."""

    code = "media_transcode_failed"
