"""OWSLib's OGC API – Features client (what QGIS-like tools use) reads our collections from the running server."""

import pytest
from owslib.ogcapi.features import Features
from owslib.util import Authentication


@pytest.mark.django_db(transaction=True)
def test_owslib_reads_collections_items_bbox_and_a_staff_collection_with_a_login(live_server, world):
    public = Features(f"{live_server.url}/ogc/")
    assert public.conformance()["conformsTo"]
    ids = [c["id"] for c in public.collections()["collections"]]
    assert "reaches" in ids and "cases" not in ids
    assert public.collection("reaches")["itemType"] == "feature"
    page = public.collection_items("reaches", limit=1)
    assert page["numberMatched"] == 2 and len(page["features"]) == 1
    near_a = public.collection_items("reaches", bbox=[114.5, 37.0, 114.72, 37.2])
    assert [f["id"] for f in near_a["features"]] == [world.reach_a.code]
    one = public.collection_item("reaches", world.reach_b.code)
    assert one["properties"]["water_body"] == "清水河"

    staff = Features(
        f"{live_server.url}/ogc/", auth=Authentication(username="bob", password="s3cret-pass-123")
    )
    assert "cases" in [c["id"] for c in staff.collections()["collections"]]
    assert staff.collection_items("cases")["numberMatched"] == 0
