"""The one place that builds a process's adapters from its settings.

The API and the workers each make one :class:`Adapters` at startup and take every gateway
from it: the document store, mail and SMS, the notification dispatcher, the SPI, the biller
network, the Registro Civil, the signing CA, the payment rules and the KYC limits. Each is
built the first time it is used and then kept, so a process that never signs a document
never loads the CA, and the API never imports what only workers need.

Which implementation a setting selects stays beside the adapter (``document_store_from_settings``,
``sms_sender_from_settings``, ``ca_from_settings``); this module only assembles them. There is
no real SPI, biller or Registro Civil gateway yet: the simulators are built here, in one place
to change when one is contracted (``docs/simulators.md``).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bank.adapters.biller_types import BillerNetwork
from bank.adapters.billers import SimulatedBillers
from bank.adapters.documents import DocumentStore, document_store_from_settings
from bank.adapters.email import Mailer, SmtpMailer
from bank.adapters.registro_civil import RegistroCivil, SimulatedRegistroCivil
from bank.adapters.sms import SmsSender, sms_sender_from_settings
from bank.adapters.spi import SimulatedSpi
from bank.adapters.spi_types import SpiNetwork
from bank.core.db import make_engine, session_factory
from bank.core.settings import CoreSettings
from bank.payments.config import PaymentRules, PaymentSettings

if TYPE_CHECKING:
    from bank.cards.config import CardRules, CardSettings
    from bank.kyc.config import KycLimits
    from bank.notifications.dispatcher import Dispatcher
    from bank.signing.ca import CertificateAuthority


class Adapters:
    """Every adapter of one process, each built from ``settings`` once, when first used."""

    def __init__(
        self, settings: CoreSettings, sessions: sessionmaker[Session] | None = None
    ) -> None:
        """``sessions`` are the process's synchronous sessions (made from the settings'
        database URL when omitted: the API, whose own sessions are asynchronous)."""
        self.settings = settings
        self._sessions = sessions

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Synchronous sessions for the adapters that keep state in the database."""
        if self._sessions is not None:
            return self._sessions
        return session_factory(make_engine(self.settings.database_url))

    @cached_property
    def documents(self) -> DocumentStore:
        """``COOP_DOCUMENT_STORE``: the local folder or S3 (one client per process)."""
        return document_store_from_settings(self.settings)

    @cached_property
    def mailer(self) -> Mailer:
        """SMTP: the relay in production, the local mail sink in the embedded run."""
        return SmtpMailer.from_settings(self.settings)

    @cached_property
    def sms(self) -> SmsSender:
        """``COOP_SMS_PROVIDER``: the HTTP gateway or the simulator's mailbox."""
        return sms_sender_from_settings(self.settings)

    @cached_property
    def dispatcher(self) -> Dispatcher:
        """The outbox's deliverer, with this process's mailer, SMS sender and documents."""
        from bank.notifications.dispatcher import Dispatcher

        return Dispatcher(
            self.sessions,
            mailer=self.mailer,
            sms=self.sms,
            documents=self.documents,
            secret_key=self.settings.secret_key,
            dev_outbox=self.settings.dev_outbox,
        )

    @cached_property
    def payment_settings(self) -> PaymentSettings:
        """Fees, limits and the SPI simulator's timing (``COOP_PAY_*``), read once."""
        return PaymentSettings()

    @cached_property
    def payment_rules(self) -> PaymentRules:
        """The fee and limit rules every payment is prepared with."""
        return self.payment_settings.rules()

    @cached_property
    def card_settings(self) -> CardSettings:
        """Card rates, cycle and minimum payment (``COOP_CARD_*``), read once."""
        from bank.cards.config import CardSettings

        return CardSettings()

    @cached_property
    def card_rules(self) -> CardRules:
        """The rules every deferral and statement close uses."""
        return self.card_settings.rules()

    @cached_property
    def spi(self) -> SpiNetwork:
        """The interbank network (the simulator: immediate institutions within seconds)."""
        delay = timedelta(seconds=self.payment_settings.spi_immediate_seconds)
        return SimulatedSpi(immediate_delay=delay)

    @cached_property
    def billers(self) -> BillerNetwork:
        """The biller network (the simulator, whose bills live in the database)."""
        return SimulatedBillers(self.sessions)

    @cached_property
    def registro_civil(self) -> RegistroCivil:
        """Identity checks of the signing step (the simulator)."""
        return SimulatedRegistroCivil()

    @cached_property
    def ca(self) -> CertificateAuthority:
        """The signing CA: configured files in production, created in ``COOP_CA_DIR`` otherwise."""
        from bank.signing.ca import ca_from_settings

        return ca_from_settings(self.settings)

    @cached_property
    def kyc_limits(self) -> KycLimits:
        """Upload, image and face thresholds (``COOP_KYC_*``)."""
        from bank.kyc.config import KycSettings

        return KycSettings().limits()
