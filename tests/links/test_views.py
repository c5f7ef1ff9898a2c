"""The Links tab, its htmx builder, QR downloads and the naming-rules page."""

from __future__ import annotations

import struct
import zlib

import pytest
import segno

from campaignflow.links.models import LinkSettings, TrackedLink

pytestmark = pytest.mark.django_db


def page(campaign) -> str:
    return f"/links/campaigns/{campaign.pk}/"


def form(channel, **extra) -> dict:
    return {
        "channel": channel.pk,
        "target_url": "https://shop.example/tea",
        "utm_source": "wechat",
        "utm_medium": "paid_social",
        "utm_campaign": "mc-2024-0007",
        **extra,
    }


def test_the_tab_lists_links_with_their_numbers(client, watcher, link):
    client.force_login(watcher)

    response = client.get(page(link.campaign))

    assert response.status_code == 200
    text = response.content.decode()
    assert link.short_url in text and "Moments banner" in text
    assert "New tracked link" not in text  # a viewer reads only
    assert f'href="/links/campaigns/{link.campaign_id}/"' in text  # the Links tab


def test_an_outsider_gets_404(client, outsider, link):
    client.force_login(outsider)

    assert client.get(page(link.campaign)).status_code == 404
    assert client.get(f"/links/{link.pk}/qr.png").status_code == 404


def test_the_builder_previews_the_final_url_as_it_is_typed(client, pm, live_campaign):
    client.force_login(pm)

    response = client.get(
        f"/links/campaigns/{live_campaign.pk}/preview/",
        {"target_url": "https://shop.example/tea?sku=1", "utm_source": "wechat", "utm_medium": "Poster"},
        HTTP_HX_REQUEST="true",
    )

    text = response.content.decode()
    assert (
        "https://shop.example/tea?sku=1&amp;utm_source=wechat&amp;utm_medium=Poster&amp;utm_campaign=mc-2024-0007"
        in text
    )
    assert "utm_medium" in text and "lowercase" in text


def test_creating_through_htmx_returns_the_section_with_the_new_link(client, pm, live_campaign, moments):
    client.force_login(pm)

    response = client.post(page(live_campaign), form(moments), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    link = TrackedLink.objects.get()
    assert link.short_url in response.content.decode()
    assert 'id="links-section"' in response.content.decode()


def test_a_rule_violation_is_shown_beside_its_input(client, pm, live_campaign, moments):
    client.force_login(pm)

    response = client.post(page(live_campaign), form(moments, utm_source="WeChat"))

    assert response.status_code == 422
    assert "UTM values are lowercase in this organization: write “wechat”." in response.content.decode()
    assert not TrackedLink.objects.exists()


def test_deactivating_from_the_list(client, pm, link):
    client.force_login(pm)

    response = client.post(f"/links/{link.pk}/toggle/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Activate" in response.content.decode()
    link.refresh_from_db()
    assert not link.active


def _png_pixels(data: bytes) -> tuple[int, int, list[list[int]]]:
    """Width, height and pixel rows of a 1-bit or 8-bit greyscale/palette PNG (what segno writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunk = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        position += 12 + length
    width, height, depth, colour = header[:4]
    assert colour in (0, 3) and depth in (1, 8)
    raw = zlib.decompress(idat)
    stride = (width * depth + 7) // 8
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):  # PNG filters, one byte per pixel group
            left, up, corner = line[i - 1] if i else 0, previous[i], previous[i - 1] if i else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        previous = line
        bits = []
        for byte in line:
            if depth == 1:
                bits.extend((byte >> (7 - i)) & 1 for i in range(8))
            else:
                bits.append(byte)
        rows.append(bits[:width])
    return width, height, rows


def test_the_png_qr_code_is_the_symbol_of_the_short_url(client, watcher, link):
    client.force_login(watcher)

    response = client.get(f"/links/{link.pk}/qr.png?download=1")

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="qr-{link.code}.png"'
    expected = segno.make(link.short_url, error="m", micro=False)
    modules = expected.symbol_size(scale=1, border=0)[0]
    width, height, rows = _png_pixels(response.content)
    assert width == height == (modules + 8) * 10  # 4-module quiet zone, 10 px per module
    dark = [
        [int(rows[(4 + y) * 10 + 5][(4 + x) * 10 + 5] == 0) for x in range(modules)] for y in range(modules)
    ]
    assert dark == [[int(bool(v)) for v in row] for row in expected.matrix]


def test_the_svg_qr_code(client, watcher, link):
    client.force_login(watcher)

    response = client.get(f"/links/{link.pk}/qr.svg")

    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml") and b"<svg" in response.content


def test_the_api_serves_both_qr_formats(client, watcher, link):
    client.force_login(watcher)

    assert client.get(f"/api/v1/links/{link.pk}/qr")["Content-Type"] == "image/png"
    assert client.get(f"/api/v1/links/{link.pk}/qr?format=svg")["Content-Type"] == "image/svg+xml"
    assert client.get(f"/api/v1/links/{link.pk}/qr?format=gif").status_code == 422


def test_an_analyst_edits_the_naming_rules(client, analyst, planner):
    client.force_login(planner)
    assert client.get("/links/settings/").status_code == 404

    client.force_login(analyst)
    response = client.post(
        "/links/settings/", {"lowercase": "on", "allowed_sources": "wechat, douyin", "allowed_mediums": ""}
    )

    assert response.status_code == 302
    rules = LinkSettings.current()
    assert (rules.lowercase, rules.allowed_sources, rules.allowed_mediums) == (True, ["wechat", "douyin"], [])
