from django.core.management.base import BaseCommand, CommandError

from orchestration.health import components, healthy, report


class Command(BaseCommand):
    help = (
        "Check that this machine reaches the database and the task queue's broker: prints what it found, "
        "exits 1 when either does not answer (a worker container's healthcheck)."
    )

    def handle(self, *args, **options) -> None:
        found = components()
        if not healthy(found):
            raise CommandError(f"unhealthy: {report(found)}")
        self.stdout.write(report(found))
