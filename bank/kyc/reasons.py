"""Why a document or a facial authentication was refused: stable codes, Spanish messages.

The ``code`` is for machines (the workflow counts attempts by it, the API returns it); the
``message`` is what the member reads, in Spanish (es-EC), and says what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass

TIPO_NO_PERMITIDO = "TIPO_NO_PERMITIDO"
ARCHIVO_VACIO = "ARCHIVO_VACIO"
ARCHIVO_DEMASIADO_GRANDE = "ARCHIVO_DEMASIADO_GRANDE"
ARCHIVO_CORRUPTO = "ARCHIVO_CORRUPTO"
CONTENIDO_OCULTO = "CONTENIDO_OCULTO"
DOCUMENTO_NO_ENCONTRADO = "DOCUMENTO_NO_ENCONTRADO"
PDF_CON_SCRIPTS = "PDF_CON_SCRIPTS"
PDF_PROTEGIDO = "PDF_PROTEGIDO"
DEMASIADAS_PAGINAS = "DEMASIADAS_PAGINAS"
IMAGEN_DEMASIADO_GRANDE = "IMAGEN_DEMASIADO_GRANDE"
RESOLUCION_INSUFICIENTE = "RESOLUCION_INSUFICIENTE"
DOCUMENTO_BORROSO = "DOCUMENTO_BORROSO"
DOCUMENTO_CON_REFLEJOS = "DOCUMENTO_CON_REFLEJOS"
ROSTRO_NO_ENCONTRADO = "ROSTRO_NO_ENCONTRADO"
VARIOS_ROSTROS = "VARIOS_ROSTROS"
ROSTRO_NO_DETECTADO = "ROSTRO_NO_DETECTADO"
ROSTRO_NO_COINCIDE = "ROSTRO_NO_COINCIDE"
ROSTRO_CAMBIO = "ROSTRO_CAMBIO"
IMAGEN_ESTATICA = "IMAGEN_ESTATICA"
PARPADEO_NO_DETECTADO = "PARPADEO_NO_DETECTADO"

MESSAGES: dict[str, str] = {
    TIPO_NO_PERMITIDO: "Solo se aceptan archivos PDF, PNG o JPG. Revisa el archivo.",
    ARCHIVO_VACIO: "El archivo está vacío. Selecciónalo nuevamente.",
    ARCHIVO_DEMASIADO_GRANDE: "El archivo pesa más de {limit_mb} MB. Sube un archivo más liviano.",
    ARCHIVO_CORRUPTO: (
        "No pudimos leer el archivo; parece estar dañado. Vuelve a generarlo o toma una nueva foto."
    ),
    CONTENIDO_OCULTO: (
        "El archivo trae datos ocultos además del documento (otro archivo o código) y no "
        "podemos aceptarlo. Toma una nueva foto o guarda el documento nuevamente como PDF."
    ),
    DOCUMENTO_NO_ENCONTRADO: "No encontramos el archivo cargado. Vuelve a subirlo.",
    PDF_CON_SCRIPTS: (
        "El PDF contiene contenido activo (scripts, acciones automáticas o archivos adjuntos) "
        "y no podemos aceptarlo. Guárdalo nuevamente como PDF simple o sube una foto."
    ),
    PDF_PROTEGIDO: "El PDF está protegido con contraseña. Sube una versión sin contraseña.",
    DEMASIADAS_PAGINAS: (
        "El PDF tiene {pages} páginas y se permiten máximo {limit}. Sube un solo documento "
        "por archivo."
    ),
    IMAGEN_DEMASIADO_GRANDE: (
        "La imagen es demasiado grande ({width}×{height} píxeles). Sube una foto de menor "
        "resolución."
    ),
    RESOLUCION_INSUFICIENTE: (
        "La imagen tiene muy poca resolución ({width}×{height} píxeles; mínimo "
        "{min_width}×{min_height}). Toma la foto más cerca del documento."
    ),
    DOCUMENTO_BORROSO: (
        "La imagen está borrosa. Toma una nueva foto con el documento enfocado y la cámara quieta."
    ),
    DOCUMENTO_CON_REFLEJOS: (
        "La imagen tiene reflejos o brillos que no permiten leer el documento. Toma la foto "
        "sin flash y lejos de luces directas."
    ),
    ROSTRO_NO_ENCONTRADO: (
        "No encontramos la fotografía del titular en el anverso de la cédula. Sube una foto "
        "clara del lado donde está la fotografía."
    ),
    VARIOS_ROSTROS: (
        "Aparece más de un rostro en la imagen. Asegúrate de que solo se vea el rostro del titular."
    ),
    ROSTRO_NO_DETECTADO: (
        "No pudimos ver tu rostro con claridad. Evita contraluces o lugares con poca "
        "iluminación y enmarca tu rostro dentro del círculo verde."
    ),
    ROSTRO_NO_COINCIDE: "Tu rostro no coincide con la fotografía de tu cédula. Inténtalo de nuevo.",
    ROSTRO_CAMBIO: (
        "Durante la captura apareció un rostro distinto. La autenticación debe hacerla solo el "
        "titular."
    ),
    IMAGEN_ESTATICA: (
        "La captura parece una imagen fija. La autenticación debe hacerse en vivo frente a la "
        "cámara."
    ),
    PARPADEO_NO_DETECTADO: (
        "No detectamos que parpadearas. Mira a la cámara y parpadea cuando te lo indiquemos."
    ),
}


@dataclass(frozen=True)
class Rejection:
    """One reason for refusing an upload or an authentication attempt."""

    code: str
    message: str


def reject(code: str, **details: object) -> Rejection:
    """The :class:`Rejection` for ``code``, its message filled with ``details``.

    Raises:
        KeyError: ``code`` is not one of this module's codes.
    """
    return Rejection(code, MESSAGES[code].format(**details))
