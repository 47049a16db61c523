"""Moving stored ID numbers to the newest key (FIELD_ENCRYPTION_KEY's first) and the current HMAC key.

Resumable: rows are taken in batches by id, each batch in its own transaction, and a row already
under the newest key with the current fingerprint is left alone, so a run stopped halfway is simply
run again (or continued with `after_id`). The log says how many rows, never which numbers.
"""

import logging
from dataclasses import dataclass

from django.db import transaction

from residents import idnumbers
from residents.models import Resident

logger = logging.getLogger(__name__)


@dataclass
class Rotation:
    checked: int = 0
    reencrypted: int = 0
    refingerprinted: int = 0
    last_id: int = 0


def reencrypt_id_numbers(*, batch_size: int = 500, after_id: int = 0) -> Rotation:
    result = Rotation(last_id=after_id)
    holders = Resident.objects.exclude(id_number_encrypted="").order_by("pk")
    while True:
        with transaction.atomic():
            batch = list(
                holders.filter(pk__gt=result.last_id)
                .select_for_update()
                .only("pk", "id_number_encrypted", "id_number_hmac")[:batch_size]
            )
            if not batch:
                break
            changed = []
            for resident in batch:
                token = resident.id_number_encrypted
                number = idnumbers.decrypt(token)  # a token no key opens stops the run, loudly
                fingerprint = idnumbers.fingerprint(number)
                moved = not idnumbers.under_newest_key(token)
                renewed = fingerprint != resident.id_number_hmac
                if moved:
                    resident.id_number_encrypted = idnumbers.encrypt(number)
                    result.reencrypted += 1
                if renewed:
                    resident.id_number_hmac = fingerprint
                    result.refingerprinted += 1
                if moved or renewed:
                    changed.append(resident)
            Resident.objects.bulk_update(changed, ["id_number_encrypted", "id_number_hmac"])
        result.checked += len(batch)
        result.last_id = batch[-1].pk
        logger.info(
            "ID numbers: %d checked, %d re-encrypted, %d fingerprints renewed, up to resident id %d",
            result.checked,
            result.reencrypted,
            result.refingerprinted,
            result.last_id,
        )
    return result
