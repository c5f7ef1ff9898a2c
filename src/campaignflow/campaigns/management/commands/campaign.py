"""`campaignflow campaign …`: list, show, create and move campaigns from the shell.

Every subcommand acts as a named user (--user) and goes through the same selectors and services
as the API and the web UI, so permissions, guards and the audit trail apply unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from campaignflow.accounts.models import Department, User
from campaignflow.campaigns import selectors, services
from campaignflow.campaigns.lifecycle import TRANSITIONS
from campaignflow.core.errors import ApplicationError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not an ISO date (YYYY-MM-DD): {value!r}")


class Command(BaseCommand):
    help = "List, show, create and move campaigns (submit, approve, reject, launch, …) as a given user."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username to act as")
        sub = parser.add_subparsers(dest="subcommand", required=True)
        listing = sub.add_parser("list", help="campaigns the user may see")
        listing.add_argument("--status", default="")
        listing.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="one campaign as JSON")
        show.add_argument("id", type=int)
        create = sub.add_parser("create", help="create a draft, optionally from a template")
        create.add_argument("name")
        create.add_argument("--department", help="department code (default: the user's)")
        create.add_argument("--template", default="")
        create.add_argument("--budget", default=None, help="total budget, e.g. 1200000.00")
        create.add_argument("--start", type=_date, default=None)
        create.add_argument("--end", type=_date, default=None)
        for action in TRANSITIONS:
            move = sub.add_parser(action.replace("_", "-"), help=str(TRANSITIONS[action].label))
            move.add_argument("id", type=int)
            move.add_argument("--comment", default="")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        subcommand = options["subcommand"]
        try:
            if subcommand == "list":
                return self._list(user, options)
            if subcommand == "create":
                return self._create(user, options)
            campaign = selectors.campaign_get(user=user, pk=options["id"])
            if subcommand != "show":
                campaign = services.campaign_transition(
                    campaign=campaign, actor=user, action=subcommand, comment=options["comment"]
                )
            self.stdout.write(json.dumps(self._as_dict(campaign), ensure_ascii=False, indent=2))
        except ApplicationError as exc:
            details = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            raise CommandError(f"{exc.message}" + (f" ({details})" if details else ""))

    def _list(self, user, options):
        campaigns = selectors.campaign_list(user=user, status=options["status"] or None)
        if options["json"]:
            self.stdout.write(json.dumps([self._as_dict(c) for c in campaigns], ensure_ascii=False, indent=2))
            return
        for c in campaigns:
            self.stdout.write(
                f"{c.pk:>5}  {c.number or '-':<13} {c.status:<11} {c.budget_total:>14}  {c.name}"
            )

    def _create(self, user, options):
        department = user.department
        if options["department"]:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                raise CommandError(f"unknown department code {options['department']!r}")
        budget = None
        if options["budget"] is not None:
            try:
                budget = Decimal(options["budget"])
            except InvalidOperation:
                raise CommandError(f"--budget is not a number: {options['budget']!r}")
        campaign = services.campaign_create(
            actor=user,
            name=options["name"],
            department=department,
            template=options["template"],
            budget_total=budget,
            start_date=options["start"],
            end_date=options["end"],
        )
        self.stdout.write(json.dumps(self._as_dict(campaign), ensure_ascii=False, indent=2))

    @staticmethod
    def _as_dict(c) -> dict:
        return {
            "id": c.pk,
            "number": c.number,
            "name": c.name,
            "department": c.department.name,
            "status": c.status,
            "stage": c.stage,
            "revision": c.revision,
            "template": c.template,
            "start_date": c.start_date.isoformat() if c.start_date else None,
            "end_date": c.end_date.isoformat() if c.end_date else None,
            "owner": c.owner.username,
            "budget_total": str(c.budget_total),
        }
