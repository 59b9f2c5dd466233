"""What the cooperative tells every member: its channels ("Contacto", manual §6) and the
frequent questions about the web banking ("Ayuda", manual §9).

Plain data, no database: the channels are the cooperative's published ones (demo values —
replace them with the institution's own before going live) and the answers follow the
manual. The numbers an answer quotes (session timeout, failed logins, OTP lifetime, the
credit signing cut-off) come from the settings the engine actually runs with
(:class:`FaqFacts`), so the help never contradicts the behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INSTITUTION = "Cooprogreso, Cooperativa de Ahorro y Crédito"


@dataclass(frozen=True, slots=True)
class Channel:
    """A way to reach the cooperative (Call Center, WhatsApp, email)."""

    kind: str
    name: str
    value: str
    link: str
    hours: str
    description: str


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency with its address and opening hours."""

    name: str
    city: str
    address: str
    phone: str
    hours: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SocialNetwork:
    name: str
    handle: str
    link: str


@dataclass(frozen=True, slots=True)
class Contact:
    institution: str
    channels: tuple[Channel, ...]
    agencies: tuple[Agency, ...]
    social: tuple[SocialNetwork, ...]
    security_note: str


WEEKDAYS = "Lunes a viernes: 08H30 a 17H00"
SATURDAYS = "Sábados: 09H00 a 13H00"

CONTACT = Contact(
    institution=INSTITUTION,
    channels=(
        Channel(
            "CALL_CENTER",
            "Call Center",
            "1800 266 776",
            "tel:+5931800266776",
            "Lunes a domingo: 07H00 a 22H00",
            "Consultas, bloqueo de usuario y de tarjetas, reclamos y asesoría de productos.",
        ),
        Channel(
            "WHATSAPP",
            "WhatsApp",
            "099 826 6776",
            "https://wa.me/593998266776",
            "Lunes a viernes: 08H00 a 20H00; sábados: 09H00 a 14H00",
            "Escríbenos para consultas y seguimiento de tus solicitudes.",
        ),
        Channel(
            "CORREO",
            "Correo electrónico",
            "servicioalsocio@cooprogreso.fin.ec",
            "mailto:servicioalsocio@cooprogreso.fin.ec",
            "Respondemos en un máximo de 24 horas laborables",
            "Envíanos tus consultas, sugerencias o reclamos.",
        ),
    ),
    agencies=(
        Agency(
            "Matriz",
            "Quito",
            "Av. 10 de Agosto N37-232 y Villalengua",
            "(02) 399 6200",
            (WEEKDAYS, SATURDAYS),
        ),
        Agency(
            "Agencia Carcelén",
            "Quito",
            "Av. Diego de Vásquez N77-110 y Juan de Selis",
            "(02) 399 6210",
            (WEEKDAYS, SATURDAYS),
        ),
        Agency(
            "Agencia Quitumbe",
            "Quito",
            "Av. Cóndor Ñan S34-25 y Av. Mariscal Sucre",
            "(02) 399 6220",
            (WEEKDAYS, SATURDAYS),
        ),
        Agency(
            "Agencia Sangolquí",
            "Rumiñahui",
            "Av. General Enríquez 2115 y Espejo",
            "(02) 399 6230",
            (WEEKDAYS,),
        ),
        Agency(
            "Agencia Cayambe",
            "Cayambe",
            "Calle Rocafuerte 0-45 y Bolívar",
            "(02) 399 6240",
            (WEEKDAYS,),
        ),
    ),
    social=(
        SocialNetwork("Facebook", "Cooprogreso", "https://www.facebook.com/Cooprogreso"),
        SocialNetwork("Instagram", "@cooprogreso", "https://www.instagram.com/cooprogreso"),
        SocialNetwork("X", "@Cooprogreso", "https://x.com/Cooprogreso"),
        SocialNetwork("TikTok", "@cooprogreso", "https://www.tiktok.com/@cooprogreso"),
        SocialNetwork("YouTube", "Cooprogreso", "https://www.youtube.com/@cooprogreso"),
    ),
    security_note=(
        "Cooprogreso nunca te pedirá tu contraseña ni tu código de seguridad (OTP) por "
        "teléfono, correo electrónico, WhatsApp o redes sociales. No los compartas con nadie."
    ),
)


@dataclass(frozen=True, slots=True)
class FaqFacts:
    """The engine's numbers the answers quote (from the settings it runs with)."""

    session_idle_minutes: int = 5
    session_max_hours: int = 8
    max_failed_logins: int = 5
    otp_minutes: int = 5
    signing_cutoff: str = "19:00"
    """``HH:MM``; written the manual's way (19H00) in the answers."""


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    answer: tuple[str, ...]
    """Paragraphs."""


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    title: str
    questions: tuple[Question, ...] = field(default=())


def hour(cutoff: str) -> str:
    """``"19:00"`` → ``"19H00"`` (the manual's way of writing hours)."""
    return cutoff.replace(":", "H")


def faq(facts: FaqFacts) -> tuple[Topic, ...]:
    """The frequent questions, by topic, with ``facts`` filled in."""
    cutoff = hour(facts.signing_cutoff)
    return (
        Topic(
            "primeros-pasos",
            "Primeros pasos",
            (
                Question(
                    "prerrequisitos",
                    "¿Qué necesito para usar Cooprogreso en Línea?",
                    (
                        "Una conexión a Internet confiable y estable.",
                        "Tener actualizados el software de tu dispositivo y tu navegador web: "
                        "así garantizamos la compatibilidad y la seguridad de la aplicación.",
                        "Un número celular y un correo electrónico registrados en Cooprogreso: "
                        "allí te enviaremos tus códigos de seguridad y tus notificaciones.",
                    ),
                ),
                Question(
                    "navegadores",
                    "¿Qué navegadores puedo usar?",
                    (
                        "Te sugerimos Google Chrome, Mozilla Firefox, Safari o Microsoft Edge, "
                        "siempre en su versión más reciente.",
                    ),
                ),
                Question(
                    "registro",
                    "¿Cómo me registro (afilio) en Cooprogreso en Línea?",
                    (
                        "En la pantalla de ingreso selecciona «Regístrate aquí».",
                        "Valida tu identidad con tu cédula o pasaporte registrado en "
                        "Cooprogreso y digita el código OTP que llegará a tu celular.",
                        "Revisa tu correo electrónico: te enviaremos tu usuario y una contraseña "
                        "temporal. Al ingresar por primera vez, el sistema te solicitará "
                        "personalizar tu contraseña.",
                    ),
                ),
                Question(
                    "datos-contacto",
                    "Mi celular o mi correo cambiaron, ¿qué hago?",
                    (
                        "Acércate a una de nuestras agencias para actualizar tus datos de "
                        "contacto. Por tu seguridad, estos datos no se cambian en línea.",
                    ),
                ),
            ),
        ),
        Topic(
            "seguridad",
            "Contraseña, sesión y seguridad",
            (
                Question(
                    "clave",
                    "¿Cómo debe ser mi contraseña?",
                    (
                        "Debe tener al menos 8 caracteres, con letras y números, y ser distinta "
                        "de tu usuario, de tu número de identificación y de tu contraseña "
                        "actual.",
                    ),
                ),
                Question(
                    "bloqueo",
                    "Me equivoqué varias veces de contraseña y mi usuario se bloqueó.",
                    (
                        f"Después de {facts.max_failed_logins} intentos fallidos seguidos tu "
                        "usuario se bloquea para protegerte. Comunícate con nuestro Call Center "
                        "o acércate a una agencia para desbloquearlo.",
                    ),
                ),
                Question(
                    "sesion",
                    "¿Por qué se cerró mi sesión?",
                    (
                        f"Por tu seguridad, la sesión se cierra después de "
                        f"{facts.session_idle_minutes} minutos sin actividad (te avisamos antes "
                        "para que puedas continuar conectado) y, en cualquier caso, "
                        f"{facts.session_max_hours} horas después de ingresar.",
                        "Recuerda usar siempre el botón SALIR al terminar.",
                    ),
                ),
                Question(
                    "otp",
                    "¿Qué es el código de seguridad (OTP)?",
                    (
                        "Es un código de 6 dígitos que enviamos por SMS a tu celular registrado "
                        "para autorizar cada operación: transferencias, pagos, registro y firma "
                        "de tu crédito.",
                        f"Vence en {facts.otp_minutes} minutos y sirve una sola vez. Antes de "
                        "ingresarlo, revisa en pantalla qué estás autorizando.",
                        "Nunca compartas tu código: Cooprogreso jamás te lo pedirá por teléfono, "
                        "correo o redes sociales.",
                    ),
                ),
            ),
        ),
        Topic(
            "transferencias",
            "Transferencias",
            (
                Question(
                    "tiempos",
                    "¿Cuándo se acredita mi transferencia?",
                    (
                        "Las transferencias a tus cuentas y a otros socios de Cooprogreso se "
                        "acreditan de inmediato.",
                        "Las transferencias interbancarias se envían por el Sistema de Pagos "
                        "Interbancarios (SPI): el tiempo de acreditación varía según el monto y "
                        "la institución financiera. Las instituciones con acreditación inmediata "
                        "la reciben al momento; las demás procesan hasta en 24 horas "
                        "laborables.",
                    ),
                ),
                Question(
                    "costos",
                    "¿Cuánto cuesta una transferencia?",
                    (
                        "Las transferencias entre tus cuentas no tienen costo. Para las "
                        "transferencias a otros socios y a otras instituciones te mostramos la "
                        "comisión y su IVA antes de que confirmes la operación.",
                    ),
                ),
                Question(
                    "beneficiarios",
                    "¿Cómo registro un beneficiario?",
                    (
                        "En «Administración de Beneficiarios» elige el servicio (Transferencias "
                        "Cooprogreso o Transferencias Interbancarias) y presiona «Nuevo "
                        "Beneficiario». También puedes editarlo o eliminarlo desde la misma "
                        "opción.",
                    ),
                ),
                Question(
                    "limites",
                    "¿Hay un monto máximo para transferir?",
                    (
                        "Sí: existe un monto máximo por transacción y por día para tu "
                        "seguridad. Si tu operación lo supera, te lo indicaremos antes de "
                        "confirmarla.",
                    ),
                ),
            ),
        ),
        Topic(
            "pagos",
            "Pago de servicios y tarjetas",
            (
                Question(
                    "pagos-programados",
                    "¿Qué son los pagos programados?",
                    (
                        "Son débitos automáticos de tus servicios más recurrentes: eliges la "
                        "cuenta, el servicio, el monto máximo que nos autorizas a debitar, la "
                        "frecuencia y las fechas desde y hasta.",
                        "Si la factura es mayor al monto máximo establecido, el pago no se "
                        "realiza y te lo notificamos por correo electrónico.",
                    ),
                ),
                Question(
                    "historial",
                    "¿Dónde veo los pagos que realicé?",
                    (
                        "En «Historial de Pagos» encontrarás todas tus transacciones, por "
                        "débito automático o no, con su fecha, hora y monto. Puedes consultar "
                        "hasta 3 meses atrás.",
                    ),
                ),
                Question(
                    "diferidos",
                    "¿Puedo diferir los consumos de mi tarjeta?",
                    (
                        "El diferido de tarjetas estará disponible muy pronto en Cooprogreso en "
                        "Línea. Mientras tanto, comunícate con nuestro Call Center o acércate a "
                        "una agencia.",
                    ),
                ),
            ),
        ),
        Topic(
            "credito-preaprobado",
            "Crédito preaprobado",
            (
                Question(
                    "que-es",
                    "¿Qué es un crédito preaprobado?",
                    (
                        "Es una oferta de crédito que Cooprogreso calificó previamente para ti. "
                        "Si tienes una, verás la opción «Campañas de créditos preaprobados» en "
                        "el menú y una notificación al ingresar.",
                        "Al presionar «Aceptar y continuar» aceptas el tratamiento de tus datos "
                        "personales y crediticios y te mostramos el monto máximo al que "
                        "calificas; luego puedes simular el monto y el plazo.",
                    ),
                ),
                Question(
                    "requisitos",
                    "¿Qué requisitos debo cumplir?",
                    (
                        "Tener tus datos de contacto actualizados: tu correo electrónico y tu "
                        "número celular correctamente registrados en Cooprogreso.",
                        "Tener tu cédula de identidad vigente: si está caducada, el trámite "
                        "deberás realizarlo de manera presencial en una agencia.",
                        "Si no actualizaste tu planilla de servicio básico en los últimos 12 "
                        "meses, te pediremos cargar una planilla reciente con tu dirección de "
                        "domicilio visible.",
                        "Tener tu estado civil actualizado; si no lo está, acércate a una "
                        "agencia para continuar. Si eres casado o en unión de hecho, carga "
                        "también la cédula de tu cónyuge, que firmará contigo.",
                    ),
                ),
                Question(
                    "firma",
                    "¿Hasta qué hora puedo firmar mi crédito?",
                    (
                        "Al finalizar tu solicitud te enviaremos a tu correo electrónico el "
                        "enlace para revisar y firmar electrónicamente los documentos: ingresa "
                        "tu cédula y código dactilar, realiza la autenticación facial, acepta "
                        "los términos y confirma con el código OTP.",
                        f"Todas las firmas (la tuya y la de tu cónyuge, si corresponde) deben "
                        f"registrarse hasta las {cutoff} del mismo día. Si no, solicita a tu "
                        "Oficial de Crédito o en la agencia más cercana que se genere "
                        "nuevamente el proceso de desembolso.",
                    ),
                ),
                Question(
                    "desembolso",
                    "¿Cuándo recibo el dinero?",
                    (
                        "Una vez registradas todas las firmas, tu crédito se desembolsa de "
                        "inmediato en tu cuenta de ahorros Cooprogreso y recibirás los "
                        "documentos firmados en tu correo electrónico.",
                    ),
                ),
                Question(
                    "no-deseo",
                    "No deseo el crédito preaprobado, ¿qué hago?",
                    (
                        "Presiona «No mostrar nuevamente»: la oferta se elimina. Si más "
                        "adelante necesitas un crédito, acércate a tu agencia más cercana o "
                        "usa «Solicita tus productos».",
                    ),
                ),
            ),
        ),
        Topic(
            "productos",
            "Productos y solicitudes",
            (
                Question(
                    "movimientos",
                    "¿Qué movimientos puedo consultar?",
                    (
                        "En «Detalle de Movimientos» puedes revisar las transacciones de tus "
                        "cuentas de los últimos 12 meses.",
                    ),
                ),
                Question(
                    "solicitar",
                    "¿Cómo solicito un nuevo producto?",
                    (
                        "En «Solicita tus productos» elige el tipo de producto que te interesa, "
                        "y, si quieres, el monto y un comentario; indica cómo prefieres que te "
                        "contactemos. Un asesor de Cooprogreso te contactará.",
                        "Puedes tener una solicitud en atención por cada tipo de producto y "
                        "consultar su estado en la misma pantalla.",
                    ),
                ),
            ),
        ),
    )
