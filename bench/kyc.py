"""KYC costs on this machine: per-frame detection/landmarks/encoding, and whole activities.

Run: ``.venv/bin/python -m bench.kyc [--rounds 5]``. Single-threaded (one core), on the
fixtures of ``tests/fixtures/faces``: 640×480 camera frames of a synthesised blink clip and
an 856×540 ID-card composite, through a LocalDocumentStore in a temporary folder. Prints
medians in milliseconds; the numbers in ``docs/kyc.md`` come from here.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from activities.kyc import KycActivities
from bank.adapters.local_documents import LocalDocumentStore
from bank.kyc import faces
from bank.kyc.contracts import (
    ID_FRONT,
    AuthenticateFaceInput,
    ExtractReferenceFaceInput,
    ValidateDocumentInput,
)
from bench import report
from tests.bank import kyc_support as fx

AUTHENTICATE_BUDGET_MS = 300.0


def median_ms(action: Callable[[], object], rounds: int) -> float:
    """Median wall time of ``action`` in milliseconds, after one warm-up call."""
    action()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    clip = fx.camera_clip("obama")
    frame = clip[0]
    box = faces.detect(frame, 320)[0]
    card = fx.id_card("obama")
    fr = faces.load_face_recognition()
    rows = {
        "HOG detect, 640x480 frame at 320 px": lambda: faces.detect(frame, 320),
        "HOG detect, 640x480 frame at full size": lambda: faces.detect(frame, 640),
        "68 landmarks, one face": lambda: fr.face_landmarks(frame, [box], model="large"),
        "128-d encoding, one face": lambda: faces.encode(frame, box),
        "card faces, 856x540 at 640 px": lambda: faces.card_faces(card),
    }
    with tempfile.TemporaryDirectory() as folder:
        store = LocalDocumentStore(Path(folder))
        kyc = KycActivities(store)
        store.put("card", fx.jpeg(card), "image/jpeg")
        keys = [f"f{i}" for i in range(len(clip))]
        for key, image in zip(keys, clip, strict=True):
            store.put(key, fx.jpeg(image, quality=90), "image/jpeg")
        reference = kyc.extract_reference_face(ExtractReferenceFaceInput("card")).encoding_key
        assert reference is not None
        request = AuthenticateFaceInput(reference, keys)
        rows |= {
            "validate_document ID_FRONT (card JPEG)": lambda: kyc.validate_document(
                ValidateDocumentInput("card", ID_FRONT)
            ),
            "extract_reference_face": lambda: kyc.extract_reference_face(
                ExtractReferenceFaceInput("card")
            ),
            f"authenticate_face, {len(keys)} frames 640x480": lambda: kyc.authenticate_face(
                request
            ),
        }
        medians: dict[str, float] = {}
        for label, action in rows.items():
            medians[label] = median_ms(action, rounds)
            print(f"{label:50s} {medians[label]:8.1f} ms", flush=True)
    # The budget: one face authentication attempt within 300 ms on one core.
    budgets = {f"authenticate_face, {len(keys)} frames 640x480": AUTHENTICATE_BUDGET_MS}
    report.emit(
        "kyc",
        [
            report.Row(label, ms, "ms", target=budgets.get(label), lower_is_better=True)
            for label, ms in medians.items()
        ],
        peaks={"kyc (in-process)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024},
    )


if __name__ == "__main__":
    main()
