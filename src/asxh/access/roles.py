"""Roles and what each may do. The one place that says who can do what; areas are in selectors."""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", "Công chức xã (LĐ-TBXH/VH-XH)"
    COMMUNE_POLICE = "commune_police", "Công an xã"
    APPROVER = "approver", "Cơ quan thẩm định, phê duyệt"
    PROVIDER = "provider", "Tổ chức dịch vụ chi trả"
    TREASURY = "treasury", "Kho bạc / Tài chính"
    PROVINCE = "province", "Sở (cấp tỉnh)"
    AUDITOR = "auditor", "Giám sát, kiểm toán"
    ADMINISTRATOR = "administrator", "Quản trị hệ thống"
    # Issues the national rates (the ministry's social-protection department); sees no people.
    POLICY = "policy", "Cơ quan quản lý chính sách (trung ương)"


class Capability(StrEnum):
    VIEW_BENEFICIARIES = "view_beneficiaries"
    EDIT_BENEFICIARIES = "edit_beneficiaries"
    REVEAL_ID_NUMBER = "reveal_id_number"
    REVEAL_ACCOUNT_NUMBER = "reveal_account_number"
    VERIFY_IDENTITY = "verify_identity"
    # Account-name inquiry with the provider (NAPAS), and recording its result.
    VERIFY_ACCOUNT = "verify_account"
    IMPORT_BENEFICIARIES = "import_beneficiaries"
    # See data-quality findings; resolving them needs EDIT_BENEFICIARIES.
    VIEW_QUALITY = "view_quality"
    VIEW_REPORTS = "view_reports"
    # Count the daily progress again on request, replacing the kept figures the reports read;
    # supervision only reads. (A day never counted is counted for whoever first reads it.)
    COUNT_PROGRESS = "count_progress"
    VIEW_AUDIT = "view_audit"
    # Add rates (a new decree's levels): national for POLICY, the province's own for PROVINCE.
    MANAGE_RATES = "manage_rates"
    # Changes (biến động): the commune proposes, someone else appraises and approves.
    PROPOSE_CHANGES = "propose_changes"
    APPROVE_CHANGES = "approve_changes"
    # Payment providers and their contracts.
    MANAGE_PROVIDERS = "manage_providers"
    # The monthly payment list: build it, approve (lock) it, export it, see it.
    BUILD_CYCLE = "build_cycle"
    APPROVE_CYCLE = "approve_cycle"
    EXPORT_CYCLE = "export_cycle"
    VIEW_CYCLE = "view_cycle"
    # SMS templates and sending.
    MANAGE_SMS = "manage_sms"
    # The provider's results of a locked list, and the settlement that closes it.
    IMPORT_RESULTS = "import_results"
    SETTLE_CYCLE = "settle_cycle"
    MANAGE_USERS = "manage_users"


C = Capability
CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.COMMUNE_OFFICER: frozenset(
        {
            C.VIEW_BENEFICIARIES,
            C.EDIT_BENEFICIARIES,
            C.IMPORT_BENEFICIARIES,
            C.REVEAL_ID_NUMBER,
            C.REVEAL_ACCOUNT_NUMBER,
            C.VERIFY_ACCOUNT,
            C.VIEW_QUALITY,
            C.VIEW_REPORTS,
            C.COUNT_PROGRESS,
            C.PROPOSE_CHANGES,
            C.VIEW_CYCLE,
        }
    ),
    Role.COMMUNE_POLICE: frozenset(
        {C.VIEW_BENEFICIARIES, C.REVEAL_ID_NUMBER, C.VERIFY_IDENTITY, C.VIEW_QUALITY}
    ),
    Role.APPROVER: frozenset(
        {
            C.VIEW_BENEFICIARIES,
            C.REVEAL_ID_NUMBER,
            C.VIEW_QUALITY,
            C.VIEW_REPORTS,
            C.COUNT_PROGRESS,
            C.APPROVE_CHANGES,
            C.MANAGE_PROVIDERS,
            C.BUILD_CYCLE,
            C.APPROVE_CYCLE,
            C.EXPORT_CYCLE,
            C.VIEW_CYCLE,
            C.MANAGE_SMS,
            C.IMPORT_RESULTS,
            C.SETTLE_CYCLE,
        }
    ),
    # The provider pays into accounts, so it may see an account number, never an ID number.
    Role.PROVIDER: frozenset(
        {
            C.VIEW_BENEFICIARIES,
            C.REVEAL_ACCOUNT_NUMBER,
            C.VERIFY_ACCOUNT,
            C.VIEW_CYCLE,
            C.EXPORT_CYCLE,
            C.IMPORT_RESULTS,
        }
    ),
    # Treasury works with totals, not with people.
    Role.TREASURY: frozenset({C.VIEW_REPORTS, C.COUNT_PROGRESS, C.VIEW_CYCLE}),
    Role.PROVINCE: frozenset(
        {
            C.VIEW_BENEFICIARIES,
            C.VIEW_QUALITY,
            C.VIEW_REPORTS,
            C.COUNT_PROGRESS,
            C.MANAGE_RATES,
            C.VIEW_CYCLE,
        }
    ),
    Role.AUDITOR: frozenset(
        {C.VIEW_BENEFICIARIES, C.VIEW_AUDIT, C.VIEW_QUALITY, C.VIEW_REPORTS, C.VIEW_CYCLE}
    ),
    Role.ADMINISTRATOR: frozenset({C.VIEW_AUDIT, C.MANAGE_USERS}),
    Role.POLICY: frozenset({C.MANAGE_RATES}),
}


def role_can(role: str, capability: Capability) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())
