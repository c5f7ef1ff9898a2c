"""POST /api/v1/track/conversions: signed conversion postbacks."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from campaignflow.links import services
from campaignflow.links.models import Conversion, LinkSettings

from .conftest import BROWSER

pytestmark = pytest.mark.django_db
URL = "/api/v1/track/conversions"


def post(client, payload, *, secret=None, timestamp=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    secret = secret or LinkSettings.current().postback_secret
    return client.post(
        URL,
        body,
        content_type="application/json",
        HTTP_X_CAMPAIGNFLOW_TIMESTAMP=timestamp,
        HTTP_X_CAMPAIGNFLOW_SIGNATURE=services.sign(secret, timestamp, body),
    )


def test_a_signed_postback_records_the_conversion_on_the_link_and_its_channel(client, link, moments):
    response = post(client, {"code": link.code, "external_id": "ORDER-1001", "value": "199.00"})

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["link"], data["channel"], data["campaign"]) == (link.pk, moments.pk, link.campaign_id)
    assert (data["external_id"], data["value"], data["click"]) == ("ORDER-1001", "199.00", None)
    assert Conversion.objects.get().value == 199


def test_a_postback_naming_the_click_is_attributed_to_it_even_before_the_flush(client, link, buffer):
    location = client.get(f"/r/{link.code}", HTTP_USER_AGENT=BROWSER)["Location"]
    click_id = parse_qs(urlsplit(location).query)["cf_click"][0]

    response = post(client, {"click_id": click_id, "external_id": "ORDER-7", "value": 88})

    assert response.status_code == 201, response.json()
    conversion = Conversion.objects.get()
    assert conversion.link == link
    assert conversion.click.token == click_id


def test_a_wrong_signature_is_refused_with_401_and_nothing_recorded(client, link):
    response = post(client, {"code": link.code, "external_id": "X1", "value": "1"}, secret="not-the-secret")

    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert not Conversion.objects.exists()


def test_a_tampered_body_is_refused(client, link):
    body = json.dumps({"code": link.code, "external_id": "X1", "value": "1"}).encode()
    timestamp = str(int(time.time()))
    signature = services.sign(LinkSettings.current().postback_secret, timestamp, body)

    response = client.post(
        URL,
        body.replace(b'"1"', b'"1000"'),
        content_type="application/json",
        HTTP_X_CAMPAIGNFLOW_TIMESTAMP=timestamp,
        HTTP_X_CAMPAIGNFLOW_SIGNATURE=signature,
    )

    assert response.status_code == 401
    assert not Conversion.objects.exists()


def test_an_unsigned_postback_is_refused(client, link):
    response = client.post(URL, {"code": link.code, "external_id": "X1"}, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["code"] == "signature_missing"


def test_a_postback_older_than_five_minutes_is_refused(client, link):
    response = post(
        client, {"code": link.code, "external_id": "X1", "value": "1"}, timestamp=str(int(time.time()) - 301)
    )

    assert response.status_code == 401
    assert response.json()["code"] == "signature_expired"


def test_a_replayed_external_id_is_a_conflict(client, link):
    payload = {"code": link.code, "external_id": "ORDER-1001", "value": "199.00"}
    assert post(client, payload).status_code == 201

    response = post(client, payload)

    assert response.status_code == 409
    assert response.json()["code"] == "replayed"
    assert Conversion.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"external_id": "A"}, "code"),
        ({"code": "LINK", "value": "5"}, "external_id"),
        ({"code": "LINK", "external_id": "A", "value": "-5"}, "value"),
        ({"code": "LINK", "external_id": "A", "value": "abc"}, "value"),
        ({"code": "LINK", "external_id": "A", "value": "1.234"}, "value"),
        ({"code": "nosuchcode", "external_id": "A"}, "code"),
        ({"click_id": "nosuchclick", "external_id": "A"}, "click_id"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, link, buffer, payload, field):
    payload = {key: (link.code if value == "LINK" else value) for key, value in payload.items()}

    response = post(client, payload)

    assert response.status_code == 422, response.json()
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not Conversion.objects.exists()


def test_a_body_that_is_not_json_is_a_422(client, link):
    response = post(client, None, raw=b"\xff\xfenot json")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
