import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from projects.models import Membership, Team

DEMO_TEAM = "Demo team"
DEMO_MEMBER = "demo"
DEMO_STAFF = "admin"


class Command(BaseCommand):
    help = "Create the demo team, a demo member and a staff user; print the passwords the first time."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        User = get_user_model()
        team, _ = Team.objects.get_or_create(name=DEMO_TEAM)
        # The demo login is a member, as the README says: members create, run and change projects;
        # owning the team (managing who is in it) is the staff user's job.
        for username, is_staff, role in (
            (DEMO_MEMBER, False, Membership.Role.MEMBER),
            (DEMO_STAFF, True, Membership.Role.OWNER),
        ):
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": is_staff, "is_superuser": is_staff}
            )
            Membership.objects.get_or_create(user=user, team=team, defaults={"role": role})
            if created:
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save(update_fields=["password"])
                role = "staff (admin at /admin/)" if is_staff else "team member"
                self.stdout.write(self.style.SUCCESS(f"Created {role}: username={username} password={password}"))
            else:
                self.stdout.write(
                    f"User '{username}' already exists (password unchanged; reset it with: python manage.py changepassword {username})."
                )
