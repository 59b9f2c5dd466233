"""Hostile uploads at the API (issue 14): what the routes refuse themselves, before storing.

The API only sniffs the magic bytes and counts the bytes; the pixels, polyglots and PDF
scripts are the KYC worker's (``tests/bank/test_upload_attacks.py``). The real credit and
signing routers run in a bare app (error handlers and body limit of ``api.main``) with the
member, the link, Temporal and the document store replaced, so no database nor Temporal
server is needed: the workflow Update is a recorder.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, UploadFile
from starlette.datastructures import Headers

from api import credit_calls, errors
from api.credit_calls import MAX_DOCUMENT_BYTES, MAX_FRAME_BYTES, get_document_store, read_upload
from api.deps import MemberCaller, get_current_member, get_db_session, get_temporal_client
from api.errors import ApiError
from api.main import API_PREFIX, MAX_BODY_BYTES, MAX_UPLOAD_BYTES
from api.routes import credit, credit_signing
from bank.access.auth_types import Principal
from bank.adapters.local_documents import LocalDocumentStore
from bank.models import Role as UserRole
from tests.bank import kyc_support as fx
from workflows.credit.contract import DocumentOutcome, Role, Status, StepResult

DOCUMENTS = f"{API_PREFIX}/credit/offers/PRE2026/documents/ID_FRONT"
FACE = f"{API_PREFIX}/signing/{'t' * 40}/face"
PNG = fx.png(fx.blank_card())
EXE = b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode"
HTML = b"<!DOCTYPE html><script>alert(document.domain)</script>"


class Recorder:
    """Stands for the workflow Updates: records each request, answers "accepted"."""

    def __init__(self) -> None:
        self.requests: list[Any] = []

    async def update(self, handle: object, method: object, arg: Any = None, **_: object) -> Any:
        self.requests.append(arg)
        if hasattr(arg, "frame_keys"):
            return StepResult("MEMBER", "FACE", True, "TERMS", 3, Status.AWAITING_SIGNATURES)
        return DocumentOutcome(arg.kind, True, (), ())


class FakeTemporal:
    def get_workflow_handle_for(self, run: object, workflow_id: str) -> object:
        return object()


@pytest.fixture
def store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(credit_calls, "update", recorder.update)

    async def resolve(token: str, session: object) -> credit_signing.Link:
        return credit_signing.Link("credit-PRE2026-7", 1, Role.MEMBER, token)

    monkeypatch.setattr(credit_signing, "resolve", resolve)

    async def consented(client: object, link: object) -> None:  # no workflow to ask here
        return None

    monkeypatch.setattr(credit_signing, "_require_consent", consented)
    return recorder


@pytest.fixture
async def http(store: LocalDocumentStore, recorder: Recorder) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    errors.install(app)
    app.add_middleware(
        errors.BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES, upload_max_bytes=MAX_UPLOAD_BYTES
    )
    app.include_router(credit.router, prefix=API_PREFIX)
    app.include_router(credit_signing.router, prefix=API_PREFIX)
    principal = Principal("s", 1, "ana", UserRole.MEMBER, 7, False)

    async def no_database() -> AsyncIterator[None]:
        yield None

    app.dependency_overrides[get_current_member] = lambda: MemberCaller(7, principal)
    app.dependency_overrides[get_temporal_client] = FakeTemporal
    app.dependency_overrides[get_document_store] = lambda: store
    app.dependency_overrides[get_db_session] = no_database
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def stored(store: LocalDocumentStore) -> list[Path]:
    objects = store.root / "objects"
    return sorted(p for p in objects.rglob("*") if p.is_file()) if objects.exists() else []


def refusal(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    body = response.json()
    assert (
        body["code"] == "DOCUMENTO_RECHAZADO" and body["message"] == body["details"][0]["mensaje"]
    )
    code: str = body["details"][0]["codigo"]
    return code


# ---- 3. the sniffed type wins over the name and the declared type ---------------------------


async def test_a_png_named_pdf_is_stored_as_a_png_under_a_random_key(
    http: httpx.AsyncClient, store: LocalDocumentStore, recorder: Recorder
) -> None:
    files = {"archivo": ("../../cedula.pdf", PNG, "application/pdf")}
    response = await http.post(DOCUMENTS, files=files)

    assert response.status_code == 200, response.text
    [upload] = recorder.requests
    assert upload.content_type == "image/png" and upload.filename == "cedula.png"
    assert upload.key.startswith("credit/uploads/") and upload.key.endswith(".png")
    assert "cedula" not in upload.key
    assert store.get(upload.key).data == PNG
    assert store.get(upload.key).info.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "body", "declared"),
    [
        ("cedula.jpg", EXE, "image/jpeg"),
        ("cedula.jpg", HTML, "image/jpeg"),
        ("cedula.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/png"),
        ("planilla.pdf", b"PK\x03\x04" + b"\x00" * 40, "application/pdf"),
    ],
    ids=["exe-as-jpg", "html-as-jpg", "svg-as-png", "zip-as-pdf"],
)
async def test_a_body_that_is_not_pdf_png_nor_jpeg_is_refused_and_not_stored(
    http: httpx.AsyncClient,
    store: LocalDocumentStore,
    recorder: Recorder,
    name: str,
    body: bytes,
    declared: str,
) -> None:
    response = await http.post(DOCUMENTS, files={"archivo": (name, body, declared)})

    assert refusal(response) == "TIPO_NO_PERMITIDO"
    assert stored(store) == [] and recorder.requests == []


async def test_a_pdf_or_an_exe_among_camera_frames_refuses_them_all_unstored(
    http: httpx.AsyncClient, store: LocalDocumentStore, recorder: Recorder
) -> None:
    frames = [("fotogramas", (f"f{i}.png", PNG, "image/png")) for i in range(3)]
    with_pdf = await http.post(FACE, files=[*frames, ("fotogramas", ("f.png", fx.pdf_pages(1)))])
    with_exe = await http.post(FACE, files=[*frames, ("fotogramas", ("f.jpg", EXE))])
    honest = await http.post(FACE, files=frames)

    assert refusal(with_pdf) == "TIPO_NO_PERMITIDO" and refusal(with_exe) == "TIPO_NO_PERMITIDO"
    assert honest.status_code == 200, honest.text
    [request] = recorder.requests
    assert len(stored(store)) == 3 and all(k.endswith(".png") for k in request.frame_keys)


# ---- 5. oversize files -------------------------------------------------------------------------


async def test_one_byte_over_the_limit_is_refused_and_not_stored(
    http: httpx.AsyncClient, store: LocalDocumentStore, recorder: Recorder
) -> None:
    over = PNG + b"\x00" * (MAX_DOCUMENT_BYTES + 1 - len(PNG))
    frame = PNG + b"\x00" * (MAX_FRAME_BYTES + 1 - len(PNG))
    document = await http.post(DOCUMENTS, files={"archivo": ("c.png", over, "image/png")})
    frames = await http.post(FACE, files=[("fotogramas", ("f.png", frame, "image/png"))])

    assert refusal(document) == "ARCHIVO_DEMASIADO_GRANDE"
    assert "10 MB" in document.json()["message"]
    assert refusal(frames) == "ARCHIVO_DEMASIADO_GRANDE"
    assert stored(store) == [] and recorder.requests == []


async def test_a_body_over_the_upload_limit_is_a_413_before_parsing(
    http: httpx.AsyncClient, store: LocalDocumentStore
) -> None:
    headers = {"content-type": "multipart/form-data; boundary=x"}
    headers["content-length"] = str(MAX_UPLOAD_BYTES + 1)
    response = await http.post(DOCUMENTS, content=b"--x--\r\n", headers=headers)

    assert response.status_code == 413 and stored(store) == []


class CountingFile(io.BytesIO):
    """A spooled upload that counts what is read from it."""

    def __init__(self, size: int) -> None:
        super().__init__(b"\x89PNG\r\n\x1a\n" + b"\x00" * (size - 8))
        self.read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data


@pytest.mark.parametrize("declared_size", [True, False], ids=["size-known", "size-unknown"])
async def test_read_upload_never_reads_more_than_one_byte_past_the_limit(
    declared_size: bool,
) -> None:
    limit = 1024 * 1024
    file = CountingFile(8 * limit)
    upload = UploadFile(
        file, size=8 * limit if declared_size else None, headers=Headers({"x": "y"})
    )

    with pytest.raises(ApiError) as refused:
        await read_upload(upload, limit)

    assert refused.value.details[0]["codigo"] == "ARCHIVO_DEMASIADO_GRANDE"
    assert file.read_bytes == (0 if declared_size else limit + 1)
