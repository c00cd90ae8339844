"""Masks for personal data shown in lists; the full value needs an explicit, logged reveal."""


def mask_id_number(value: str | None) -> str:
    """'079123456789' → '079******789'; a 9-digit CMND keeps 2 + 2 digits."""
    if not value:
        return ""
    keep = 3 if len(value) >= 12 else 2
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_account_number(value: str | None) -> str:
    """Only the last four digits: '0123456789' → '******6789'."""
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-3:] if len(value) >= 8 else "*" * len(value)
