"""GET|POST /api/v1/channels: the organization's channel list."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.metrics.models import Channel
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_it_lists_channels_by_name_to_anyone_signed_in(client, planner):
    douyin = ChannelFactory(name="Douyin", kind="paid_social", online=True)
    store = ChannelFactory(name="Beijing flagship store", kind="offline_store", online=False)
    client.force_login(planner)

    response = client.get("/api/v1/channels")

    assert response.status_code == 200
    assert response.json() == [
        {"id": store.pk, "name": "Beijing flagship store", "kind": "offline_store", "online": False},
        {"id": douyin.pk, "name": "Douyin", "kind": "paid_social", "online": True},
    ]


def test_it_requires_sign_in_to_list_channels(client):
    assert client.get("/api/v1/channels").status_code == 401


@pytest.mark.parametrize("persona", ["analyst", "admin_user"])
def test_it_lets_analysts_and_admins_add_a_channel(client, persona, request):
    actor = request.getfixturevalue(persona)
    client.force_login(actor)

    response = client.post(
        "/api/v1/channels", {"name": "  Xiaohongshu ", "kind": "organic_social"}, content_type=JSON
    )

    assert response.status_code == 201
    channel = Channel.objects.get()
    assert response.json() == {
        "id": channel.pk,
        "name": "Xiaohongshu",
        "kind": "organic_social",
        "online": True,
    }
    event = AuditEvent.objects.get(verb="channel.created")
    assert (event.actor, event.object_id) == (actor, str(channel.pk))
    assert event.after == {"id": channel.pk, "name": "Xiaohongshu", "kind": "organic_social", "online": True}


@pytest.mark.parametrize("persona", ["planner", "dept_head", "manager", "finance"])
def test_it_forbids_others_to_add_a_channel(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.post("/api/v1/channels", {"name": "Xiaohongshu"}, content_type=JSON)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Channel.objects.exists()
    assert not AuditEvent.objects.filter(verb="channel.created").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "douyin"}, "name"),  # same name as an existing channel, ignoring case
        ({"kind": "carrier_pigeon"}, "kind"),
        ({"online": "maybe"}, "online"),
        ({"name": "Bad\x00name"}, "name"),
    ],
)
def test_it_refuses_an_invalid_channel(client, analyst, body, field):
    ChannelFactory(name="Douyin")
    client.force_login(analyst)

    response = client.post("/api/v1/channels", {"name": "WeChat"} | body, content_type=JSON)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert list(Channel.objects.values_list("name", flat=True)) == ["Douyin"]
