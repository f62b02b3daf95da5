from hezhang.monitoring.models import Sample
from hezhang.monitoring.sampling import record_sample
from hezhang.monitoring.tests.conftest import CLEAN, at


def post_sample(client, **fields):
    body = {"section": "SEC-B-1", "taken_at": at(1).isoformat(), "values": {"NH3N": 0.4, "DO": 6.1}} | fields
    return client.post("/api/v1/monitoring/samples/", body, content_type="application/json")


def test_a_sample_posted_to_the_api_comes_back_classed(wq, login):
    response = post_sample(login(wq.bob))
    assert response.status_code == 201
    body = response.json()
    assert body["water_class"] == 2 and body["water_class_label"] == "II"
    assert body["item_classes"] == {"DO": 2, "NH3N": 2}


def test_posting_the_same_sample_again_answers_200_with_the_stored_one(wq, login):
    client = login(wq.bob)
    first = post_sample(client).json()
    again = post_sample(client)
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert Sample.objects.count() == 1


def test_different_values_for_a_stored_time_are_a_conflict(wq, login):
    client = login(wq.bob)
    post_sample(client)
    response = post_sample(client, values={"NH3N": 3.0})
    assert response.status_code == 409
    assert Sample.objects.get().values["NH3N"] == 0.4


def test_a_bad_value_is_a_400_naming_the_item(wq, login):
    response = post_sample(login(wq.bob), values={"NH3N": -2})
    assert response.status_code == 400
    assert "氨氮" in str(response.json())


def test_a_section_outside_the_jurisdiction_cannot_be_written(wq, login):
    response = post_sample(login(wq.alice))
    assert response.status_code == 400
    assert not Sample.objects.exists()


def test_a_chief_may_read_samples_but_not_write_them(wq, login):
    record_sample(wq.section_b, at(2), CLEAN)
    client = login(wq.chief_b)
    assert client.get("/api/v1/monitoring/samples/").json()["count"] == 1
    assert post_sample(client).status_code == 403


def test_the_series_endpoint_gives_each_parameter_oldest_first(wq, login):
    record_sample(wq.section_b, at(3), {"NH3N": 0.5})
    record_sample(wq.section_b, at(2), {"NH3N": 0.7})
    body = login(wq.bob).get(f"/api/v1/monitoring/sections/{wq.section_b.pk}/series/?parameter=NH3N").json()
    assert [v for _, v in body["series"]["NH3N"]] == [0.5, 0.7]
    assert body["target_class"] == 3


def test_samples_are_filtered_by_class_with_the_list_filter(wq, login):
    record_sample(wq.section_b, at(3), {"NH3N": 0.5})
    record_sample(wq.section_b, at(2), {"NH3N": 2.5})
    body = login(wq.bob).get("/api/v1/monitoring/samples/?water_class=6").json()
    assert body["count"] == 1


def test_readings_are_written_and_read_by_station_code(wq, login):
    client = login(wq.bob)
    body = {"station": "HY-B-1", "observed_at": at(1).isoformat(), "water_level": 11.4}
    assert (
        client.post("/api/v1/monitoring/readings/", body, content_type="application/json").status_code == 201
    )
    assert (
        client.post("/api/v1/monitoring/readings/", body, content_type="application/json").status_code == 200
    )
    assert client.get("/api/v1/monitoring/readings/").json()["count"] == 1
