"""Answers of "Contacto" and "Ayuda — Preguntas frecuentes" (``bank.service_desk.content``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CanalOut(BaseModel):
    """A channel: Call Center, WhatsApp or email."""

    tipo: str = Field(examples=["CALL_CENTER"])
    nombre: str = Field(examples=["Call Center"])
    valor: str = Field(examples=["1800 266 776"])
    enlace: str = Field(examples=["tel:+5931800266776"])
    horario: str
    descripcion: str


class AgenciaOut(BaseModel):
    nombre: str
    ciudad: str
    direccion: str
    telefono: str
    horario: list[str]


class RedSocialOut(BaseModel):
    nombre: str
    usuario: str
    enlace: str


class ContactoOut(BaseModel):
    """Every way to reach the cooperative."""

    institucion: str
    canales: list[CanalOut]
    agencias: list[AgenciaOut]
    redes_sociales: list[RedSocialOut]
    aviso_seguridad: str


class PreguntaOut(BaseModel):
    id: str = Field(examples=["prerrequisitos"])
    pregunta: str
    respuesta: list[str] = Field(description="Párrafos de la respuesta")


class TemaOut(BaseModel):
    id: str
    titulo: str
    preguntas: list[PreguntaOut]


class PreguntasFrecuentesOut(BaseModel):
    temas: list[TemaOut]
