"""What the credit journey hands the signing service: the documents' content. Pure."""

from __future__ import annotations

from datetime import date

from bank.credit.charges import ChargeTiming
from bank.credit.requirements import MemberProfile
from bank.credit.simulation import Simulation, Summary
from bank.signing.contracts import Charge, CreditDocumentsInput, Party, ScheduleLine
from workflows.credit.contract import CreditOffer


def _party(name: str, identification: str, email: str | None, address: str = "") -> Party:
    return Party(full_name=name, identification=identification, email=email or "", address=address)


def _charges(summary: Summary) -> list[Charge]:
    """Charges at disbursement, each fee followed by its IVA (as the movement list shows)."""
    lines: list[Charge] = []
    for rubro in summary.rubros:
        if rubro.timing is not ChargeTiming.DISBURSEMENT:
            continue
        lines.append(Charge(rubro.label, rubro.amount_cents))
        if rubro.iva_cents:
            lines.append(Charge(f"IVA {rubro.label}", rubro.iva_cents))
    return lines


def documents_input(
    reference: str,
    offer: CreditOffer,
    profile: MemberProfile,
    simulation: Simulation,
    summary: Summary,
    issued_on: date,
) -> CreditDocumentsInput:
    """The four documents' content for the chosen terms."""
    spouse = profile.spouse
    return CreditDocumentsInput(
        operation_reference=reference,
        issued_on=issued_on.isoformat(),
        member=_party(profile.full_name, profile.identification, profile.email, profile.address),
        spouse=_party(spouse.full_name, spouse.identification, spouse.email) if spouse else None,
        product_name=offer.product_name,
        amount_cents=summary.amount_cents,
        term_months=summary.term_months,
        annual_rate=offer.annual_rate,
        method=offer.method,
        installment_cents=summary.installment_cents,
        charges=_charges(summary),
        net_amount_cents=summary.net_amount_cents,
        account_number=profile.savings_account_number or "",
        schedule=[
            ScheduleLine(
                number=row.number,
                due_date=row.due_date.isoformat(),
                installment_cents=row.installment_cents - row.charges_cents,
                principal_cents=row.principal_cents,
                interest_cents=row.interest_cents,
                insurance_cents=row.insurance_cents,
                balance_after_cents=row.balance_after_cents,
            )
            for row in simulation.rows
        ],
        insurance_monthly_rate=offer.insurance_monthly_rate,
    )
