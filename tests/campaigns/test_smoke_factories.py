from campaignflow.campaigns.services import plan_problems


def test_the_campaign_fixture_is_ready_to_submit(campaign):
    errors, warnings = plan_problems(campaign)
    assert errors == []
    assert warnings == []
