"""The offer and its simulation (manual §8 Pasos 1-5): accept, decline or dismiss the notice,
simulate, choose amount and term (the summary with its rubros), go back; and the offer's
validity end while the request is not yet sent. Deterministic; no I/O.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from bank.credit.deadline import local_date
    from bank.credit.requirements import (
        MemberProfile,
        evaluate,
    )
    from bank.credit.simulation import Simulation, simulate, summary
    from workflows.credit import calls as act
    from workflows.credit.contract import (
        BEFORE_SENDING,
        ERR_AMOUNT,
        ERR_SYSTEM,
        ERR_TERM,
        ERR_TOO_MANY_SIMULATIONS,
        MAX_SIMULATIONS,
        AcceptRequest,
        ChoiceResult,
        CreditJourneyState,
        OfferTerms,
        SimulationRequest,
        Status,
        reject,
    )

from workflows.credit.biometrics import BiometricRetention


class OfferSteps(BiometricRetention):
    """The offer's Updates and its validity (see the module docstring)."""

    async def _offer_phase(self) -> None:
        """Wait for the request to be sent, declined or cancelled, or the offer to expire."""
        remaining = self._offer.valid_until - workflow.now()
        try:
            if remaining <= timedelta(0):
                raise TimeoutError
            await workflow.wait_condition(
                lambda: self._status not in BEFORE_SENDING, timeout=remaining
            )
        except TimeoutError:
            await workflow.wait_condition(lambda: self._busy == 0)
            if self._status in BEFORE_SENDING:
                self._audit("sistema", "oferta.vencida")
                self._set_status(Status.OFFER_EXPIRED)

    @workflow.update
    async def accept(self, request: AcceptRequest) -> OfferTerms:
        """ "Aceptar y continuar": record consent, reveal the maximum, check requirements."""
        async with self._step():
            self._require(BEFORE_SENDING - {Status.SUMMARY, Status.COLLECTING_DOCUMENTS})
            if self._consent_at is None:
                at = workflow.now()
                await self._call(
                    act.RECORD_CONSENT,
                    act.ConsentInput(
                        workflow.info().workflow_id,
                        self._offer.campaign_id,
                        self._offer.member_id,
                        request.origin,
                        at,
                    ),
                    int,
                )
                self._consent_at, self._consent_origin = at, request.origin
                self._audit("socio", "consentimiento", request.origin)
            self._profile = await self._call(
                act.LOAD_MEMBER_PROFILE, act.LoadProfileInput(self._offer.member_id), MemberProfile
            )
            self._requirements = evaluate(self._profile, local_date(workflow.now()))
            blocked = self._requirements.blocked
            self._set_status(Status.BLOCKED_REQUIREMENTS if blocked else Status.ACCEPTED)
            return self._offer_terms()

    @accept.validator
    def _validate_accept(self, request: AcceptRequest) -> None:
        self._require(BEFORE_SENDING - {Status.SUMMARY, Status.COLLECTING_DOCUMENTS})
        if not request.origin or len(request.origin) > 200:
            raise ValueError("origin is required (at most 200 characters)")

    @workflow.update
    async def decline(self) -> CreditJourneyState:
        """ "No mostrar nuevamente": the offer is withdrawn for good; the journey ends."""
        self._require(BEFORE_SENDING)
        self._audit("socio", "oferta.rechazada")
        self._set_status(Status.DECLINED)
        await self._delete_biometrics("oferta.rechazada")  # the ID cards' face encodings
        return self.state()

    @decline.validator
    def _validate_decline(self) -> None:
        self._require(BEFORE_SENDING)

    @workflow.update
    async def dismiss(self) -> CreditJourneyState:
        """The X: nothing changes; the offer is shown again at the next login."""
        self._dismissals += 1
        return self.state()

    @dismiss.validator
    def _validate_dismiss(self) -> None:
        self._require({Status.OFFERED})

    @workflow.update
    async def simulate(self, request: SimulationRequest) -> Simulation:
        """ "Simular": the installment and the whole amortization table."""
        self._simulations += 1
        return self._simulate(request)

    @simulate.validator
    def _validate_simulate(self, request: SimulationRequest) -> None:
        self._check_loan_terms(request)
        if self._simulations >= MAX_SIMULATIONS:
            raise reject(ERR_TOO_MANY_SIMULATIONS, "Alcanzaste el máximo de simulaciones.")

    @workflow.update
    async def choose(self, request: SimulationRequest) -> ChoiceResult:
        """ "Continuar": fix amount and term; the summary with its rubros and net amount."""
        self._check_loan_terms(request)
        self._simulation = self._simulate(request)
        self._summary = summary(self._simulation, self._offer.charges)
        self._audit("socio", "terminos.elegidos", f"{request.amount_cents}c/{request.term_months}m")
        self._set_status(Status.SUMMARY)
        return ChoiceResult(self._summary, self._required())

    @choose.validator
    def _validate_choose(self, request: SimulationRequest) -> None:
        self._check_loan_terms(request)

    @workflow.update
    async def back_to_simulation(self) -> CreditJourneyState:
        """ "Cancelar" on the summary: back to simulation (uploads are kept)."""
        self._require({Status.SUMMARY, Status.COLLECTING_DOCUMENTS})
        self._simulation = self._summary = None
        self._set_status(Status.ACCEPTED)
        return self.state()

    @back_to_simulation.validator
    def _validate_back(self) -> None:
        self._require({Status.SUMMARY, Status.COLLECTING_DOCUMENTS})

    def _check_loan_terms(self, request: SimulationRequest) -> None:
        self._require({Status.ACCEPTED})
        offer = self._offer
        if not offer.min_amount_cents <= request.amount_cents <= offer.max_amount_cents:
            raise reject(
                ERR_AMOUNT,
                "El monto debe estar entre el mínimo de la campaña y el monto máximo calificado.",
            )
        if request.term_months not in offer.allowed_terms:
            raise reject(ERR_TERM, "El plazo elegido no está disponible en esta campaña.")

    def _simulate(self, request: SimulationRequest) -> Simulation:
        try:
            # ``holidays`` imports its data lazily: let that import bypass the sandbox.
            with workflow.unsafe.imports_passed_through():
                return simulate(
                    self._offer.terms,
                    request.amount_cents,
                    request.term_months,
                    local_date(workflow.now()),
                    self._offer.charges,
                )
        except ValueError as exc:  # a campaign misconfigured: tell the member, keep going
            workflow.logger.error("simulation failed: %s", exc)
            raise reject(ERR_SYSTEM, "No pudimos simular tu crédito. Inténtalo más tarde.") from exc

    def _offer_terms(self) -> OfferTerms:
        offer, req = self._offer, self._requirements
        return OfferTerms(
            status=self._status,
            max_amount_cents=offer.max_amount_cents,
            min_amount_cents=offer.min_amount_cents,
            allowed_terms=offer.allowed_terms,
            annual_rate=offer.annual_rate,
            method=offer.method,
            blockers=tuple(str(b) for b in req.blockers) if req else (),
            messages=req.messages if req else (),
        )
