"""Column orders of the registry tables for set-based writers (asxh.core.bulk.bulk_insert)."""

BENEFICIARY_COLUMNS = [
    "id", "full_name", "name_folded", "birth_date", "birth_date_precision", "sex", "id_number",
    "commune_id", "village", "phone", "ethnicity", "status", "status_since", "death_date",
    "payment_method", "version", "created_at", "updated_at",
]  # fmt: skip
REVISION_COLUMNS = ["beneficiary_id", "version", "data", "changed_at", "changed_by_id", "reason"]
ENROLMENT_COLUMNS = [
    "beneficiary_id", "group_id", "start_month", "end_month", "decision_number", "decision_date",
    "disability_level", "household_poverty", "in_education", "impairment_percent",
    "martyr_count", "hiv_positive", "ended_reason", "created_at",
]  # fmt: skip
PAYEE_COLUMNS = [
    "id", "beneficiary_id", "kind", "full_name", "id_number", "phone", "relationship",
    "valid_from", "valid_to", "created_at",
]  # fmt: skip
REGISTRATION_COLUMNS = [
    "beneficiary_id", "payee_id", "method", "registered_on", "source", "note", "cash_at_home",
    "created_at",
]  # fmt: skip
ACCOUNT_COLUMNS = [
    "beneficiary_id", "payee_id", "kind", "institution_id", "account_number", "holder_name",
    "verification", "verified_on", "status", "opened_on", "created_at",
]  # fmt: skip
