"""Re-encrypt stored ID numbers under the newest key after FIELD_ENCRYPTION_KEY gained a new first key."""

from django.core.management.base import BaseCommand

from residents.keyrotation import reencrypt_id_numbers


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored ID number with FIELD_ENCRYPTION_KEY's first key and renew its "
        "fingerprint with ID_NUMBER_HMAC_KEY. Safe to stop and run again; prints counts, never numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--after-id", type=int, default=0, help="continue after this resident id")

    def handle(self, *args, batch_size, after_id, **options):
        result = reencrypt_id_numbers(batch_size=max(1, batch_size), after_id=after_id)
        self.stdout.write(
            f"ID numbers: {result.checked} checked, {result.reencrypted} re-encrypted, "
            f"{result.refingerprinted} fingerprints renewed (last resident id {result.last_id})"
        )
