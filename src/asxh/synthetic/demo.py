"""`asxh setup --demo`: one user per role and a seeded demo province (An Giang, code 91)."""

from typing import Protocol

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.access.services import user_bootstrap
from asxh.beneficiaries.models import Beneficiary
from asxh.units.models import Commune, Province

DEMO_PROVINCE = "91"
DEMO_COMMUNE = "30682"  # Xã Thoại Sơn: the former Thị trấn Núi Sập, Thoại Sơn, An Giang
DEMO_PASSWORD = "asxh-demo-2026"  # noqa: S105 - printed on purpose for the demo
DEMO_SEED = 2026

# username, role, works in the demo commune (else the whole province), full name
DEMO_USERS = [
    ("canbo.xa", Role.COMMUNE_OFFICER, True, "Nguyễn Thị Lan (công chức VH-XH)"),
    ("congan.xa", Role.COMMUNE_POLICE, True, "Trần Văn Hùng (Công an xã)"),
    ("pheduyet", Role.APPROVER, False, "Lê Minh Tâm (phòng thẩm định)"),
    ("pheduyet2", Role.APPROVER, False, "Phạm Thu Hà (lãnh đạo phòng, duyệt danh sách)"),
    ("buudien", Role.PROVIDER, False, "Bưu điện tỉnh An Giang"),
    ("khobac", Role.TREASURY, False, "Kho bạc Nhà nước khu vực"),
    ("so.tinh", Role.PROVINCE, False, "Sở Y tế (Bảo trợ xã hội)"),
    ("giamsat", Role.AUDITOR, False, "Ủy ban MTTQ tỉnh (giám sát)"),
    ("quantri", Role.ADMINISTRATOR, False, "Quản trị hệ thống"),
    ("chinhsach", Role.POLICY, False, "Cục Bảo trợ xã hội (ban hành mức)"),
]


def _demo_communes(province: Province, count: int = 10) -> list[str]:
    others = Commune.objects.filter(province=province).exclude(code=DEMO_COMMUNE)
    return [DEMO_COMMUNE, *others.order_by("code").values_list("code", flat=True)[: count - 1]]


class Output(Protocol):
    def write(self, msg: str) -> None: ...


def demo_setup(*, beneficiaries: int, out: Output) -> None:
    province = Province.objects.get(code=DEMO_PROVINCE)
    commune = Commune.objects.get(code=DEMO_COMMUNE)
    for username, role, in_commune, full_name in DEMO_USERS:
        if not User.objects.filter(username=username).exists():
            user_bootstrap(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                full_name=full_name,
                provinces=[] if in_commune else [province],
                communes=[commune] if in_commune else [],
            )
    if not Beneficiary.objects.filter(commune__province=province).exists():
        from asxh.synthetic.services import seed_province

        counts = seed_province(
            province_code=DEMO_PROVINCE,
            beneficiaries=beneficiaries,
            seed=DEMO_SEED,
            defect_rate=0.02,
            commune_codes=_demo_communes(province),
        )
        out.write(f"Dữ liệu mô phỏng {province.name}: {counts}\n")
    _demo_provider(province)
    out.write(f"\nNgười dùng mẫu (mật khẩu chung: {DEMO_PASSWORD}):\n")
    for username, role, in_commune, _ in DEMO_USERS:
        area = commune if in_commune else province
        out.write(f"  {username:<10} {Role(role).label:<32} {area}\n")


def _demo_provider(province: Province) -> None:
    """The post office pays the whole demo province, by account and in cash, at An Giang's
    5.000 đ per person per month (KH 360/KH-UBND)."""
    import datetime as dt
    from decimal import Decimal

    from asxh.providers.models import Provider
    from asxh.providers.services import (
        ContractInput,
        contract_add,
        provider_add,
        provider_staff_add,
    )

    if Provider.objects.filter(code="buudien-ag").exists():
        return
    approver = User.objects.get(username="pheduyet")
    provider_add(actor=approver, code="buudien-ag", name="Bưu điện tỉnh An Giang", kind="post",
                 bank_bin="970405")  # fmt: skip
    contract_add(actor=approver, data=ContractInput(
        provider_code="buudien-ag", number="01/2026/HĐ-BĐAG", province_code=province.code,
        commune_codes=(), methods=("account", "cash"), valid_from=dt.date(2026, 1, 1),
        valid_to=None, fee_kind="per_head", fee_value=Decimal(5000),
        payer_name="Sở Y tế tỉnh An Giang", payer_account="9527000123456",
        payer_bank_bin="970405",
    ))  # fmt: skip
    provider_staff_add(actor=approver, provider_code="buudien-ag", username="buudien")
