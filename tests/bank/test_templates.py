"""Spanish templates: the manual's layouts, dates without the OS locale, strict inputs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bank.notifications import TemplateError, render

PIN_RESET = {
    "name": "SILVA/GABRIEL",
    "card_number": "5509751234567023",
    "card_type": "DEBIT",
    "pin": "4366",
    "at": datetime(2024, 12, 18, 18, 26, 46, tzinfo=UTC),
}


def test_templates_write_spanish_dates_without_the_os_locale():
    days = [
        render(
            "signing_link",
            {"name": "N", "url": "https://x", "at": datetime(2026, 6, d, 17, 40, tzinfo=UTC)},
        ).text.split(" Hora")[0]
        for d in range(8, 15)
    ]
    assert days == [
        "Lunes, 8 de junio de 2026",
        "Martes, 9 de junio de 2026",
        "Miércoles, 10 de junio de 2026",
        "Jueves, 11 de junio de 2026",
        "Viernes, 12 de junio de 2026",
        "Sábado, 13 de junio de 2026",
        "Domingo, 14 de junio de 2026",
    ]
    # 04:59 UTC on 1 January is still 31 December in Guayaquil.
    rendered = render("card_pin_reset", {**PIN_RESET, "at": "2025-01-01T04:59:00+00:00"})
    assert "Quito, martes, 31 de diciembre de 2024 Hora 11:59 PM" in rendered.text


@pytest.mark.parametrize(
    ("template", "context"),
    [
        ("nonexistent", {}),
        ("otp", {"code": "12345"}),
        ("card_pin_reset", {**PIN_RESET, "pin": None}),
        ("signing_link", {"name": "N", "url": "javascript:alert(1)"}),
        (
            "transfer_rejected",
            {"name": "N", "amount": "1.005", "beneficiary": "B", "account": "A", "reason": "R"},
        ),
        (
            "scheduled_payment_skipped",
            {"name": "N", "service": "S", "reference": "R", "reason": "because"},
        ),
        ("service_payment_reversed", {"name": "N", "service": "S", "reference": "R"}),
        (
            "service_payment_reversed",
            {"name": "N", "service": "S", "reference": "R", "amount": "1.005", "reason": "R"},
        ),
    ],
)
def test_bad_template_input_is_a_template_error(template, context):
    with pytest.raises(TemplateError):
        render(template, context)


def test_html_bodies_escape_member_data():
    rendered = render(
        "transfer_rejected",
        {
            "name": "<script>x</script>",
            "amount": "1",
            "beneficiary": "B & C",
            "account": "A",
            "reason": "R",
        },
    )
    assert rendered.html is not None
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "B &amp; C" in rendered.html


def test_signed_documents_email_renders_in_any_process() -> None:
    """Registered with the other templates: a dispatcher that never imported the credit
    activities can still deliver it."""
    from bank.notifications.templates import render as render_template

    rendered = render_template(
        "credit_documents_signed",
        {
            "name": "NANCY",
            "loan_number": "0100000001",
            "net_amount": "9750.00",
            "at": "2026-06-08T12:40:00-05:00",
            "url": "https://bancaweb.cooprogreso.test/creditos/0100000001",
            "documents": [{"kind": "pagare", "sha256": "ab" * 32}],
        },
    )
    assert rendered.subject == "Documentos firmados de tu crédito"
    assert "$9,750.00" in rendered.text
    assert "Pagaré" in rendered.text


def test_a_recovery_email_says_it_is_a_new_password_not_a_registration():
    context = {
        "name": "SILVA/GABRIEL",
        "username": "gsilva",
        "password": "Ab3dEf6hJk",
        "at": "2024-12-18T18:26:46+00:00",
    }
    first = render("temporary_password", context)
    again = render("temporary_password", {**context, "reset": True})
    assert first.subject == "Cooprogreso en Línea: tu usuario y contraseña temporal"
    assert "Tu registro en Cooprogreso en Línea se realizó con éxito." in first.text
    assert again.subject == "Cooprogreso en Línea: tu nueva contraseña temporal"
    assert "RECUPERACIÓN DE CLAVE" in again.text
    assert "tu usuario quedó desbloqueado" in again.text
    assert "Si no solicitaste este cambio" in again.text
    assert "CONTRASEÑA TEMPORAL: Ab3dEf6hJk" in again.text and "USUARIO: gsilva" in again.text
