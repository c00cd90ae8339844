from asxh.access.models import User
from asxh.accounts.models import Institution, ReceivingAccount
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import Beneficiary, Enrolment, Payee
from asxh.units.models import Commune, LegacyCommune, LegacyDistrict, LegacyProvince, Province


def stored_counts() -> dict[str, int]:
    """Counts only: no personal data, so `asxh stats` is not scoped to a user."""
    return {
        "provinces": Province.objects.count(),
        "communes": Commune.objects.count(),
        "legacy_provinces": LegacyProvince.objects.count(),
        "legacy_districts": LegacyDistrict.objects.count(),
        "legacy_communes": LegacyCommune.objects.count(),
        "institutions": Institution.objects.count(),
        "beneficiaries": Beneficiary.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "payees": Payee.objects.count(),
        "accounts": ReceivingAccount.objects.count(),
        "users": User.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }
