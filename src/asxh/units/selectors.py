"""Reads of the administrative units. Reference data: not personal, so not area-scoped."""

from dataclasses import dataclass

from vietnamadminunits import parse_address
from vietnamadminunits.parser import ParseMode

from asxh.units.models import Commune, LegacyCommune


@dataclass(frozen=True)
class Resolution:
    legacy: LegacyCommune | None
    communes: list[Commune]
    default: Commune | None

    @property
    def is_split(self) -> bool:
        return len(self.communes) > 1


def legacy_address_resolve(address: str) -> Resolution:
    """'TT Núi Sập, Thoại Sơn, An Giang' → the commune(s) it became on 1/7/2025."""
    try:
        parsed = parse_address(address, mode=ParseMode.LEGACY, level=3)
    except Exception:  # the parser raises plain exceptions on text it cannot read
        parsed = None
    code = getattr(parsed, "ward_code", None)
    legacy = (
        LegacyCommune.objects.select_related("district__province").filter(code=code).first()
        if code
        else None
    )
    if legacy is None:
        return Resolution(legacy=None, communes=[], default=None)
    successions = legacy.successions.select_related("commune__province").order_by(
        "-is_default", "commune__code"
    )
    communes = [s.commune for s in successions]
    default = next((s.commune for s in successions if s.is_default), None)
    return Resolution(legacy=legacy, communes=communes, default=default)
