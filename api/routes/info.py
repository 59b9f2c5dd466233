"""Contacto (manual §6) and Ayuda — Preguntas frecuentes (manual §9): public content.

Both are public (no session): they are what the cooperative publishes anyway, and a member
who cannot sign in (a locked user, a forgotten password) is exactly who needs the Call
Center's number. The content lives in ``bank.service_desk.content``; the FAQ quotes
the numbers of the settings this process runs with.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import app_state
from api.schemas import info as out
from bank.access.otp import DEFAULT_TTL
from bank.service_desk import content

router = APIRouter(tags=["Contacto y ayuda"])


@router.get("/contact", response_model=out.ContactoOut)
async def contact() -> out.ContactoOut:
    """The cooperative's channels, agencies (address and hours) and social networks."""
    c = content.CONTACT
    return out.ContactoOut(
        institucion=c.institution,
        canales=[
            out.CanalOut(
                tipo=ch.kind,
                nombre=ch.name,
                valor=ch.value,
                enlace=ch.link,
                horario=ch.hours,
                descripcion=ch.description,
            )
            for ch in c.channels
        ],
        agencias=[
            out.AgenciaOut(
                nombre=a.name,
                ciudad=a.city,
                direccion=a.address,
                telefono=a.phone,
                horario=list(a.hours),
            )
            for a in c.agencies
        ],
        redes_sociales=[
            out.RedSocialOut(nombre=s.name, usuario=s.handle, enlace=s.link) for s in c.social
        ],
        aviso_seguridad=c.security_note,
    )


@router.get("/help/faq", response_model=out.PreguntasFrecuentesOut)
async def frequent_questions(request: Request) -> out.PreguntasFrecuentesOut:
    """The frequent questions about the web banking, by topic."""
    settings = app_state(request).settings
    facts = content.FaqFacts(
        session_idle_minutes=settings.session_idle_minutes,
        session_max_hours=settings.session_max_hours,
        max_failed_logins=settings.max_failed_logins,
        otp_minutes=int(DEFAULT_TTL.total_seconds() // 60),
        signing_cutoff=settings.credit_signing_cutoff,
    )
    return out.PreguntasFrecuentesOut(
        temas=[
            out.TemaOut(
                id=t.id,
                titulo=t.title,
                preguntas=[
                    out.PreguntaOut(id=q.id, pregunta=q.question, respuesta=list(q.answer))
                    for q in t.questions
                ],
            )
            for t in content.faq(facts)
        ]
    )
