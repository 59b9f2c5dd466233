"""Clips for Chromium's fake camera, made at test time from the face fixtures.

Chromium started with ``--use-fake-device-for-media-stream`` and
``--use-file-for-fake-video-capture=<clip.y4m>`` (``tests.web.browser.launch_args``) plays the
clip, in a loop, as the camera ``getUserMedia`` opens. The frames are those of the KYC tests
(``tests.bank.kyc_support.camera_clip``: a fixture face, jittered like a camera, with a few
frames whose eyes are painted shut), written as Y4M: a text header, then for every frame
``FRAME`` and the I420 planes (Y at full size, U and V at half width and height).

The loop is shorter than the page's capture (about 2 s), so every capture holds at least one
whole blink between open-eyed frames, wherever in the loop it starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from tests.bank.kyc_support import camera_clip, jpeg, still_clip

FPS = 15
LOOP_FRAMES = 21
"""1.4 s at 15 fps: the blink comes back well within one ~2 s capture."""
BLINK = (10, 11, 12)
"""Eyes shut for 0.2 s (three frames), longer than the page's gap between two captures."""


def write_y4m(frames: Sequence[np.ndarray], path: Path, fps: int = FPS) -> Path:
    """Write RGB frames (all the same even size) as a Y4M 4:2:0 clip."""
    height, width = frames[0].shape[:2]
    if width % 2 or height % 2:
        raise ValueError("I420 needs an even width and height")
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            if rgb.shape[:2] != (height, width):
                raise ValueError("every frame must have the clip's size")
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def face_clip(name: str, folder: Path) -> Path:
    """A looping clip of fixture face ``name`` (``obama``, ``biden``...) that blinks once."""
    frames = camera_clip(name, count=LOOP_FRAMES, closed=BLINK)
    return write_y4m(frames, folder / f"{name}-parpadeo.y4m")


def still_photos(name: str, folder: Path, count: int = 6) -> list[Path]:
    """``count`` JPEG files of one and the same photograph (what "Subir fotos" may get)."""
    frame = jpeg(still_clip(name, count=1)[0])
    paths = []
    for i in range(count):
        path = folder / f"{name}-foto-{i + 1}.jpg"
        path.write_bytes(frame)
        paths.append(path)
    return paths
