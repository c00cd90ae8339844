"""Reading providers and contracts: who may act for a provider, and the routing of a month's
payment lines to providers."""

from django.core.exceptions import PermissionDenied, ValidationError

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.entitlement.months import month_of
from asxh.providers.logic import Terms
from asxh.providers.models import Contract, Provider
from asxh.units.models import Province


def contract_terms(province: Province) -> list[Terms]:
    contracts = Contract.objects.filter(province=province).select_related("provider")
    return [
        Terms(
            contract_id=c.pk,
            provider_code=c.provider.code,
            communes=frozenset(c.communes.values_list("pk", flat=True)) or None,
            methods=frozenset(c.methods),
            first_month=month_of(c.valid_from),
            last_month=month_of(c.valid_to) if c.valid_to else None,
        )
        for c in contracts
    ]


class Routing:
    """Which contract serves (commune, method) in a month; memoised for a whole build."""

    def __init__(self, province: Province, month: int) -> None:
        self.month = month
        self.terms = [t for t in contract_terms(province) if t.covers_month(month)]
        self._memo: dict[tuple[int, str], int | None] = {}

    def contract_for(self, commune_id: int, method: str) -> int | None:
        key = (commune_id, method)
        if key not in self._memo:
            self._memo[key] = next(
                (t.contract_id for t in self.terms if t.covers(commune_id, method, self.month)),
                None,
            )
        return self._memo[key]


def provider_for(actor: User, code: str) -> Provider:
    """The provider `code`; a provider's own user may act only for the provider they belong
    to (the role's capabilities and the area are checked by the caller)."""
    provider = Provider.objects.filter(code=code).first()
    if provider is None:
        raise ValidationError(f"Không có tổ chức chi trả mã '{code}'.")
    if actor.role == Role.PROVIDER and not provider.staff.filter(pk=actor.pk).exists():
        raise PermissionDenied(
            f"Tài khoản {actor.username} không thuộc tổ chức chi trả '{code}': chỉ xuất tệp và "
            "xác nhận chuyển tiền cho tổ chức của mình."
        )
    return provider
