"""Load the synthetic demo data for Hai Phong (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand

from anninh.demo.services import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo accounts and synthetic records (demo mode only; safe to re-run)."

    def handle(self, *args, **options):
        results = demo_seed(progress=lambda name: self.stdout.write(f"== demo data: {name}"))
        self.stdout.write("")
        self.stdout.write("Demo logins (synthetic accounts, demo mode only):")
        self.stdout.write(f"  {'user name':<18} {'role':<28} {'unit':<10} password")
        for spec, _created in results["users"]:
            from anninh.accounts.roles import Role

            roles = ", ".join(str(Role(r).label) for r in spec.roles)
            self.stdout.write(f"  {spec.username:<18} {roles:<28} {spec.unit_code:<10} {DEMO_PASSWORD}")
