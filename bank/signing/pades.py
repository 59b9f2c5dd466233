"""PAdES signatures with pyHanko: one incremental signature per signatory, then the seal.

- :func:`sign_pdf` appends one PAdES baseline signature (``ETSI.CAdES.detached``, SHA-256)
  as an incremental update: earlier signatures stay byte-for-byte intact, each covering
  its own revision. The field is created on the signature block's box (visible stamp) when
  the document does not have it yet.
- :func:`seal_pdf` is the institutional seal: an *approval* signature with the seal
  certificate, last, whose field lock (PDF 2.0 ``/Lock`` with ``/P 1``) forbids any later
  change. It cannot be a certification (DocMDP) signature: PDF allows those only as the
  first signature, and the seal closes the document after the signatories.
- :func:`validate_pdf` validates every signature with pyHanko's validator offline against
  the institution's CA.

Level: PAdES B-B. No timestamp authority is reachable from this deployment, so the signing
time is the one the signer claims (``/M``), and certificates are checked at that time. See
``docs/signing.md`` for B-T/B-LT/B-LTA with an accredited TSA.
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError, get_pyca_cryptography_hash
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from bank.signing.ca import CertificateAuthority, PrivateKey
from bank.signing.contracts import SEAL_FIELD, SignatureReport, SignatureSlot

log = logging.getLogger(__name__)

LOCATION = "Quito, Ecuador"
SEAL_REASON = "Sello institucional de COOPROGRESO LTDA."
_LOCAL = ZoneInfo("America/Guayaquil")
_STAMP = TextStampStyle(
    stamp_text=("Firmado electrónicamente por:\n%(signer)s\n%(detail)s\nFecha: %(fecha)s (UTC-5)"),
    border_width=1,
)


class AlreadySigned(SigningError):
    """The document already holds a signature in that field."""


class _HeldKeySigner(signers.SimpleSigner):
    """A SimpleSigner that signs with the key object it was given.

    SimpleSigner parses its key again for every signature, and for RSA that parse runs a
    consistency check costing ~180 ms on a 3072-bit key (twice per PDF): holding the
    loaded key brings the seal from ~400 ms to a few ms per document.
    """

    def __init__(self, key: PrivateKey, cert: x509.Certificate, ca_cert: x509.Certificate):
        super().__init__(
            signing_cert=_asn1_cert(cert),
            signing_key=_asn1_key(key),
            cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(ca_cert)]),
        )
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign with the held key (PKCS#1 v1.5 or ECDSA); anything else as pyHanko does."""
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, PKCS1v15(), digest)
        if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(digest))
        return bytes(super().sign_raw(data, digest_algorithm))


def sign_pdf(
    pdf_bytes: bytes,
    *,
    key: PrivateKey,
    cert: x509.Certificate,
    ca: CertificateAuthority,
    field_name: str,
    reason: str,
    signer_name: str,
    location: str = LOCATION,
    detail: str = "",
    slot: SignatureSlot | None = None,
) -> bytes:
    """Append one PAdES B-B signature to ``pdf_bytes`` as an incremental update.

    Args:
        pdf_bytes: The PDF as it stands (possibly already signed by others).
        key: The signer's private key.
        cert: The signer's certificate, issued by ``ca``.
        ca: The institution's CA (its certificate is embedded to complete the chain).
        field_name: Signature field to fill; created if the document has none by that name.
        reason: Why this person signs (shown by PDF readers).
        signer_name: Name shown in the signature dictionary and the visible stamp.
        location: Where the signature is made.
        detail: Second line of the stamp (``C.I. 1710034065``).
        slot: The box for the visible stamp when the field is created; invisible if None.

    Returns:
        The whole signed PDF: the input bytes followed by the new revision.

    Raises:
        AlreadySigned: ``field_name`` is already signed.
    """
    signer = _HeldKeySigner(key, cert, ca.cert)
    return _append_signature(
        pdf_bytes,
        signer,
        field_name=field_name,
        reason=reason,
        location=location,
        signer_name=signer_name,
        detail=detail,
        slot=slot,
        lock=False,
    )


def seal_pdf(
    pdf_bytes: bytes,
    *,
    ca: CertificateAuthority,
    field_name: str = SEAL_FIELD,
    reason: str = SEAL_REASON,
    location: str = LOCATION,
    slot: SignatureSlot | None = None,
) -> bytes:
    """Apply the institutional seal: a last approval signature that locks the document.

    Args:
        pdf_bytes: The PDF signed by every signatory.
        ca: The institution's CA, holding the seal key and certificate.
        field_name: The seal's signature field.
        reason: Shown by PDF readers.
        location: Where the seal is applied.
        slot: The box for the visible seal, or None for an invisible one.

    Returns:
        The sealed PDF.
    """
    signer = _HeldKeySigner(ca.seal_key, ca.seal_cert, ca.cert)
    return _append_signature(
        pdf_bytes,
        signer,
        field_name=field_name,
        reason=reason,
        location=location,
        signer_name=ca.names.seal_common_name,
        detail=ca.names.organization,
        slot=slot,
        lock=True,
    )


def validate_pdf(
    pdf_bytes: bytes, ca: CertificateAuthority, *, at: datetime | None = None
) -> list[SignatureReport]:
    """Validate every signature of ``pdf_bytes`` against the institution's CA, offline.

    Args:
        pdf_bytes: A signed PDF.
        ca: Whose certificate is the only trust root.
        at: Check certificates at this time; by default at each signature's claimed signing
            time (a B-B signature has no better time, and signatory certificates last one
            day, so "now" would call every signature older than a day untrusted).

    Returns:
        One report per signature, in signing order; a PDF without signatures gives [].
    """
    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    root = _asn1_cert(ca.cert)
    return [_report(embedded, root, at) for embedded in reader.embedded_signatures]


def _append_signature(
    pdf_bytes: bytes,
    signer: signers.Signer,
    *,
    field_name: str,
    reason: str,
    location: str,
    signer_name: str,
    detail: str,
    slot: SignatureSlot | None,
    lock: bool,
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    existing = {name: filled for name, filled, _ in _sig_fields(writer)}
    if existing.get(field_name):
        raise AlreadySigned(f"field {field_name} is already signed")
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signer_name,
        # Only read for a field with a lock dictionary (the seal's): no change after it.
        docmdp_permissions=fields.MDPPerm.NO_CHANGES if lock else fields.MDPPerm.FILL_FORMS,
    )
    spec = None if field_name in existing else _field_spec(field_name, slot, lock)
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=_STAMP, new_field_spec=spec)
    when = datetime.now(_LOCAL).strftime("%d/%m/%Y %H:%M")
    params = {"detail": detail, "fecha": when}
    output = pdf_signer.sign_pdf(writer, appearance_text_params=params)
    return bytes(output.getvalue())


def _field_spec(field_name: str, slot: SignatureSlot | None, lock: bool) -> fields.SigFieldSpec:
    box = (slot.x1, slot.y1, slot.x2, slot.y2) if slot else None
    page = slot.page if slot else 0
    if not lock:
        return fields.SigFieldSpec(field_name, on_page=page, box=box)
    return fields.SigFieldSpec(
        field_name,
        on_page=page,
        box=box,
        field_mdp_spec=fields.FieldMDPSpec(fields.FieldMDPAction.ALL),
        doc_mdp_update_value=fields.MDPPerm.NO_CHANGES,
    )


def _sig_fields(writer: IncrementalPdfFileWriter) -> list[tuple[str, bool, object]]:
    return [
        (name, value is not None, ref)
        for name, value, ref in fields.enumerate_sig_fields(writer.prev)
    ]


def _report(
    embedded: EmbeddedPdfSignature, root: asn1_x509.Certificate, at: datetime | None
) -> SignatureReport:
    claimed = embedded.self_reported_timestamp
    cert = embedded.signer_cert
    subject = cert.subject.native
    context = ValidationContext(
        trust_roots=[root],
        allow_fetching=False,
        moment=at or claimed or datetime.now(UTC),
        revocation_mode="soft-fail",
    )
    report = SignatureReport(
        field_name=embedded.field_name,
        signer_name=str(subject.get("common_name", "")),
        identification=str(subject.get("serial_number", "")),
        intact=False,
        valid=False,
        trusted=False,
        coverage="",
        modification_level="",
        docmdp_ok=False,
        signing_time=claimed,
    )
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:  # a mangled signature is a failed validation, not a crash
        log.warning("signature %s could not be validated", embedded.field_name, exc_info=True)
        return report
    report.intact, report.valid = bool(status.intact), bool(status.valid)
    report.trusted = bool(status.trusted)
    report.coverage = status.coverage.name if status.coverage else ""
    level = status.modification_level
    report.modification_level = level.name if level is not None else ""
    report.docmdp_ok = bool(status.docmdp_ok)
    return report


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key: PrivateKey) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)
