"""The knowledge routes of the API (DESIGN §5)."""

from __future__ import annotations

import pytest

from campaignflow.knowledge.models import KnowledgeEntry, KnowledgeTemplate

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_search_answers_entries_with_their_labels(client, archived, planner):
    client.force_login(planner)

    response = client.get("/api/v1/knowledge/search", {"q": "农业"})

    assert response.status_code == 200
    [row] = response.json()
    assert {
        key: row[key]
        for key in (
            "id",
            "campaign",
            "number",
            "name",
            "department",
            "scenario",
            "year",
            "channels",
            "tags",
            "history",
        )
    } == {
        "id": archived.pk,
        "campaign": archived.campaign_id,
        "number": "MC-2025-0007",
        "name": "中国农业发展银行联名信用卡推广",
        "department": "Marketing",
        "scenario": "holiday_promotion",
        "year": 2025,
        "channels": ["微信朋友圈", "抖音"],
        "tags": [],
        "history": False,
    }
    assert row["score"] > 0


@pytest.mark.parametrize("q", ['"', "NEAR(", "OR", "*", "x" * 10_000, ""])
def test_search_never_fails_on_odd_queries(client, archived, planner, q):
    client.force_login(planner)
    response = client.get("/api/v1/knowledge/search", {"q": q})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] in ([archived.pk], [])


def test_search_filters(client, archived, planner):
    client.force_login(planner)
    assert (
        client.get("/api/v1/knowledge/search", {"channel": "抖音", "year": 2025}).json()[0]["id"]
        == archived.pk
    )
    assert client.get("/api/v1/knowledge/search", {"scenario": "brand_awareness"}).json() == []
    assert client.get("/api/v1/knowledge/search", {"channel": "x\x00"}).json() == []


def test_a_bad_year_is_a_422_naming_it(client, planner):
    client.force_login(planner)
    response = client.get("/api/v1/knowledge/search", {"year": "soon"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "year"


def test_search_requires_sign_in(client):
    assert client.get("/api/v1/knowledge/search").status_code == 401


def test_get_entry_with_its_snapshot(client, archived, finance):
    client.force_login(finance)
    body = client.get(f"/api/v1/knowledge/{archived.pk}").json()
    assert body["snapshot"]["campaign"]["number"] == "MC-2025-0007"
    assert body["proposed_keywords"] == archived.proposed_keywords


def test_a_hidden_entry_is_missing(client, archived, outsider):
    client.force_login(outsider)
    assert client.get(f"/api/v1/knowledge/{archived.pk}").status_code == 404
    assert client.get(f"/api/v1/knowledge/{2**64}").status_code == 404


def test_patch_replaces_tags(client, archived, pm):
    client.force_login(pm)
    response = client.patch(f"/api/v1/knowledge/{archived.pk}", {"tags": ["联名", "银行"]}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["tags"] == ["联名", "银行"]
    assert response.json()["keywords"] == archived.keywords


def test_patch_by_finance_is_forbidden_and_changes_nothing(client, archived, finance):
    client.force_login(finance)
    response = client.patch(f"/api/v1/knowledge/{archived.pk}", {"tags": ["x"]}, content_type=JSON)
    assert response.status_code == 403
    assert not KnowledgeEntry.objects.get().tags.exists()


def test_patch_with_a_tag_too_long_is_a_422(client, archived, pm):
    client.force_login(pm)
    response = client.patch(f"/api/v1/knowledge/{archived.pk}", {"tags": ["长" * 41]}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "tags"


def test_save_as_template(client, archived, pm):
    client.force_login(pm)
    response = client.post(
        f"/api/v1/knowledge/{archived.pk}/template", {"name": "联名卡模板"}, content_type=JSON
    )
    assert response.status_code == 201
    template = KnowledgeTemplate.objects.get()
    assert response.json()["key"] == template.key == f"kb-{template.pk}"
    assert client.get("/api/v1/knowledge/templates").json()[0]["name"] == "联名卡模板"
    again = client.post(
        f"/api/v1/knowledge/{archived.pk}/template", {"name": "联名卡模板"}, content_type=JSON
    )
    assert again.status_code == 422


def test_similar(client, archived, planner, marketing):
    from .conftest import make_campaign

    plan = make_campaign(planner, marketing, "农业发展银行客户回馈", background="农业发展银行信用卡")
    client.force_login(planner)
    body = client.get(f"/api/v1/campaigns/{plan.pk}/similar").json()
    assert [row["entry"]["id"] for row in body] == [archived.pk]
    assert "农业发展银行" in body[0]["shared_keywords"]


def test_similar_of_a_hidden_campaign_is_missing(client, campaign, outsider):
    client.force_login(outsider)
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/similar").status_code == 404


def test_benchmarks(client, archived, planner):
    client.force_login(planner)
    body = client.get("/api/v1/knowledge/benchmarks", {"channel": "微信朋友圈"}).json()
    assert body == [
        {"channel": "微信朋友圈", "campaigns": 1, "ctr": "0.021", "cvr": "0.036667", "cpa": "51.95"}
    ]
