"""In a real browser: a planner writes a plan from a template and submits it; the department head
approves; management rejects with a comment; the planner resubmits; both approve; the campaign is
registered with its number. Each persona has its own browser context (own session)."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from campaignflow.campaigns.models import Approval, Campaign
from tests.factories import PASSWORD


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def decide_in_inbox(page, campaign_name: str, decision: str, comment: str = "") -> None:
    page.goto("/approvals/")
    row = page.locator("tr", has_text=campaign_name)
    if comment:
        row.locator("textarea").fill(comment)
    row.get_by_role("button", name=decision).click()


def submit_plan(page, campaign_id: int) -> None:
    page.goto(f"/campaigns/{campaign_id}/edit/")
    expect(page.locator("#plan-check")).to_contain_text("Ready to submit")
    page.locator("#plan-check").get_by_role("button", name="Submit for approval").click()
    expect(page).to_have_url(re.compile(rf"/campaigns/{campaign_id}/$"))
    expect(page.locator("body")).to_contain_text("The plan was submitted for approval.")


def test_plan_submit_reject_revise_and_register_in_chromium(new_page, planner, dept_head, manager):
    planner_page, head_page, manager_page = new_page(), new_page(), new_page()

    # the planner creates a campaign from the new-product-launch template
    sign_in(planner_page, "planner")
    planner_page.goto("/campaigns/new/")
    planner_page.locator("input[name=template][value=new_product_launch]").check()
    planner_page.fill("input[name=name]", "2026春季新茶上市")
    planner_page.fill("input[name=start_date]", "2026-12-01")
    planner_page.get_by_role("button", name="Create and open the plan").click()
    expect(planner_page).to_have_url(re.compile(r"/campaigns/\d+/edit/$"))
    campaign = Campaign.objects.get(name="2026春季新茶上市")
    assert campaign.goals.count() == 4 and campaign.budget_lines.count() == 5

    # fills in what Table 1 still needs and saves; the plan check turns green
    expect(planner_page.locator("#plan-check")).to_contain_text("Give the campaign a theme")
    plan = planner_page.locator("#section-plan")
    plan.get_by_label("Background and objectives").fill("春季新品上市，提升品牌知名度与销量。")
    plan.get_by_label("Target audience").fill("25-35岁女性，一线城市，月消费3000+")
    plan.get_by_label("Theme").fill("春日焕新 · 一杯好茶")
    plan.get_by_role("button", name="Save plan").click()
    expect(planner_page.locator("#section-plan")).to_contain_text("Saved")
    submit_plan(planner_page, campaign.pk)

    # level 1 approves, level 2 rejects with a comment
    sign_in(head_page, "dept_head")
    decide_in_inbox(head_page, "2026春季新茶上市", "Approve", "目标合理")
    expect(head_page.locator("body")).to_contain_text("Approved; forwarded to the next level.")

    sign_in(manager_page, "manager")
    decide_in_inbox(manager_page, "2026春季新茶上市", "Reject", "推广费占比过高，请调整")
    expect(manager_page.locator("body")).to_contain_text("Rejected; sent back to the planner.")

    # the planner sees the rejection, revises and resubmits revision 2
    planner_page.goto(f"/campaigns/{campaign.pk}/")
    expect(planner_page.locator("body")).to_contain_text("推广费占比过高，请调整")
    submit_plan(planner_page, campaign.pk)

    decide_in_inbox(head_page, "2026春季新茶上市", "Approve")
    expect(head_page.locator("body")).to_contain_text("Approved; forwarded to the next level.")
    decide_in_inbox(manager_page, "2026春季新茶上市", "Approve")
    number = f"MC-{timezone.localdate().year}-0001"
    expect(manager_page.locator("body")).to_contain_text(f"Approved and registered as {number}.")

    # the plan page shows the registration number and the history of both revisions
    planner_page.goto(f"/campaigns/{campaign.pk}/")
    expect(planner_page.locator("body")).to_contain_text(number)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.revision, campaign.number) == ("approved", 2, number)
    assert Approval.objects.filter(campaign=campaign).count() == 4
