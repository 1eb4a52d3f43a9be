from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction


class Command(BaseCommand):
    help = "Create an editor's account (staff, in the Editors group) for the given e-mail address."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The editor's e-mail address, which is also their login.")

    def handle(self, *args, email: str, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an e-mail address.") from None
        User = get_user_model()
        if User.objects.filter(username=email).exists():
            raise CommandError(f"There is already an account for {email}.")
        with transaction.atomic():
            user = User(username=email, email=email, is_staff=True)
            # No one can log in until a password is set that passes the validators.
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name="Editors"))
        self.stdout.write(
            f"Created the editor {email}. Set their password with:\n"
            f"    python manage.py changepassword {email}"
        )
