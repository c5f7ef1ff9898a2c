"""Typed factories shared by every test package."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from campaignflow.accounts.models import Department, User, UserRole
from campaignflow.campaigns.models import BudgetLine, Campaign, CampaignMember, Goal, Milestone, Risk
from campaignflow.metrics.models import Channel

PASSWORD = "Campaign-Flow-2026"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"dept-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        for role in extracted or ["member"]:
            UserRole.objects.get_or_create(user=self, role=role)
        self._role_cache = None


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Channel {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    """A draft campaign whose plan is complete enough to submit (see `ready_plan`)."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Campaign {n}")
    department = factory.SubFactory(DepartmentFactory)
    owner = factory.SubFactory(UserFactory, department=factory.SelfAttribute("..department"))
    created_by = factory.SelfAttribute("owner")
    background = "Spring sales dropped 12 %; the new tea line needs a launch."
    target_audience = "Women 25-35 in tier-1 cities, monthly spend 3000+"
    core_message = "Fresh tea, fresh start"
    theme = "Spring tea festival"
    format = "Livestream + pop-up store"
    start_date = dt.date(2026, 12, 1)
    end_date = dt.date(2026, 12, 31)

    @factory.post_generation
    def with_owner_membership(self, create, extracted, **kwargs):
        CampaignMember.objects.get_or_create(campaign=self, user=self.owner, defaults={"role": "owner"})


def ready_plan(
    campaign: Campaign, *, total: Decimal = Decimal("100000.00"), contingency_share: str = "0.10"
) -> Campaign:
    """Give a campaign one SMART goal, a budget with the given contingency share and one risk."""
    Goal.objects.create(
        campaign=campaign,
        metric="revenue",
        name="Sales",
        target=Decimal("1000000"),
        unit="CNY",
        deadline=campaign.end_date,
    )
    contingency = (total * Decimal(contingency_share)).quantize(Decimal("0.01"))
    BudgetLine.objects.create(campaign=campaign, category="promotion", amount=total - contingency)
    BudgetLine.objects.create(campaign=campaign, category="contingency", amount=contingency)
    Risk.objects.create(
        campaign=campaign, description="Rain cancels the pop-up", response="Livestream instead"
    )
    Milestone.objects.create(campaign=campaign, name="Launch", date=campaign.start_date)
    return campaign
