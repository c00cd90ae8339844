"""Two senders at once on PostgreSQL: a row one holds is skipped by the other."""

import threading

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from asxh.notifications import services
from asxh.notifications.models import SmsMessage, SmsState


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers: skipping locked rows needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_sender_is_skipped():
    for n in range(3):
        SmsMessage.objects.create(
            reference=f"R-{n}",
            template_code="chuyen_tien",
            beneficiary_id=n,
            phone="0912345678",
            text="x",
            encoding="gsm7",
        )
    first = SmsMessage.objects.order_by("id").first()
    assert first is not None
    locked, release = threading.Event(), threading.Event()

    def other_sender() -> None:
        try:
            with transaction.atomic():
                SmsMessage.objects.select_for_update().get(pk=first.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_sender)
    thread.start()
    try:
        assert locked.wait(10)
        claimed = services._claim(10, timezone.now(), 3)
    finally:
        release.set()
        thread.join()
    assert first.pk not in {m.pk for m in claimed} and len(claimed) == 2
    assert SmsMessage.objects.get(pk=first.pk).state == SmsState.QUEUED
