"""`hezhang water-quality classify FILE`: a lab's CSV in, one JSON line a row out."""

import codecs
import io
import json

import pytest
from django.core.management import CommandError, call_command

HEADER = "id,kind,pH,DO,CODMn,NH3N,TP,TN,Pb"


def run(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("water_quality", "classify", str(path), stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def write(tmp_path, text, encoding="utf-8", name="batch.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_each_row_becomes_one_json_line_with_its_classes(tmp_path):
    path = write(
        tmp_path, f"{HEADER}\nS1,river,7.5,6.2,3.1,0.3,0.08,2.5,0.004\nS2,river,7.1,4.2,7.5,2.4,0.3,,\n"
    )
    rows, _ = run(path)
    assert rows[0] == {
        "id": "S1",
        "kind": "river",
        "items": {"pH": 1, "DO": 2, "CODMn": 2, "NH3N": 2, "TP": 2, "Pb": 1},
        "reference": [],
        "class": 2,
        "status": "优",
        "main_pollutants": [],
        "exceedance": {},
        "below_detection": [],
    }
    assert rows[1]["class"] == 6
    assert rows[1]["status"] == "重度污染"
    # NH3N 劣V; then class IV by multiple: TP 0.5, CODMn 0.25, DO (no multiple) fourth and left out.
    assert rows[1]["main_pollutants"] == ["NH3N", "TP", "CODMn"]
    assert rows[1]["exceedance"] == {"CODMn": 0.25, "NH3N": 1.4, "TP": 0.5}


def test_blank_cells_are_items_not_measured(tmp_path):
    rows, _ = run(write(tmp_path, f"{HEADER}\nS1,river,,,,0.6,,,\n"))
    assert rows[0]["items"] == {"NH3N": 3}


def test_a_lake_uses_the_lake_limits_and_reports_total_nitrogen_for_reference(tmp_path):
    rows, _ = run(write(tmp_path, f"{HEADER}\nL1,lake,8,7,3,0.3,0.06,1.2,\n"))
    assert rows[0]["items"]["TP"] == 4
    assert rows[0]["items"]["TN"] == 4
    assert rows[0]["reference"] == ["TN"]
    assert rows[0]["class"] == 4
    assert rows[0]["main_pollutants"] == ["TP"]


def test_a_gbk_file_with_chinese_ids_and_kinds_is_read(tmp_path):
    path = write(
        tmp_path,
        f"{HEADER}\n清水河一号断面,河流,7.2,6.5,3.0,0.2,0.05,,\n东湖,湖泊,7.8,7.6,2.0,0.1,0.01,0.2,\n",
        "gbk",
    )
    rows, _ = run(path)
    assert [(row["id"], row["kind"], row["class"]) for row in rows] == [
        ("清水河一号断面", "river", 2),
        ("东湖", "lake", 1),
    ]


def test_a_utf8_file_with_a_bom_is_read(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + f"{HEADER}\n水库点位,reservoir,7,8,1.5,0.1,0.02,0.4,\n".encode())
    rows, err = run(path)
    assert rows[0]["id"] == "水库点位"
    assert rows[0]["items"]["TP"] == 2
    assert err == ""  # the BOM did not turn "id" into an unknown column


def test_the_header_is_matched_without_regard_to_case_or_spaces(tmp_path):
    rows, _ = run(write(tmp_path, "ID, Kind ,ph,nh3n,codmn\nS1,River,7,0.4,3\n"))
    assert rows[0]["items"] == {"pH": 1, "CODMn": 2, "NH3N": 2}


def test_unknown_columns_are_named_once_on_stderr(tmp_path):
    path = write(tmp_path, "id,kind,NH3N,chla,采样人\nS1,river,0.4,12,张\nS2,river,0.5,10,李\n")
    rows, err = run(path)
    assert len(rows) == 2
    assert err.count("ignored columns") == 1
    assert "chla" in err and "采样人" in err


def test_below_detection_values_count_as_half_the_limit(tmp_path):
    rows, _ = run(write(tmp_path, "id,kind,Pb,Cd,Hg,CN\nS1,river,<0.02,0.002L,ND,未检出\n"))
    assert rows[0]["items"] == {"Hg": 1, "Cd": 1, "Pb": 1, "CN": 1}  # Pb 0.01, Cd 0.001
    assert rows[0]["below_detection"] == ["Hg", "Cd", "Pb", "CN"]


def test_half_a_high_detection_limit_can_still_be_above_class_i(tmp_path):
    rows, _ = run(write(tmp_path, "id,kind,Cu\nS1,river,<0.05\n"))
    assert rows[0]["items"] == {"Cu": 2}  # 0.025 > 0.01


def test_bad_rows_are_reported_with_their_spreadsheet_row_and_the_rest_is_classed(tmp_path):
    text = (
        f"{HEADER}\n"
        "S1,river,7,6,3,0.3,0.1,,\n"
        "S2,pond,7,6,3,0.3,0.1,,\n"
        "S3,river,abc,6,3,0.3,0.1,,\n"
        "S4,river,7,6,3,-0.3,0.1,,\n"
        "S5,river,7,6,3,0.3,>0.5,,\n"
        "S6,river,<6,6,3,0.3,0.1,,\n"
        ",river,7,6,3,0.3,0.1,,\n"
        "S8,river,7,6,3,0.3,0.1,,,0.5\n"
        "S9,lake,7,6,3,0.3,0.1,,\n"
    )
    rows, _ = run(write(tmp_path, text))
    assert [row.get("class") for row in rows] == [2, None, None, None, None, None, None, None, 4]
    errors = {row["id"]: (row["row"], row["error"]) for row in rows if "error" in row}
    assert errors["S2"][0] == 3 and "pond" in errors["S2"][1]
    assert errors["S3"][0] == 4 and "pH" in errors["S3"][1] and "abc" in errors["S3"][1]
    assert errors["S4"][0] == 5 and "NH3N" in errors["S4"][1] and "负数" in errors["S4"][1]
    assert "TP" in errors["S5"][1]
    assert "pH" in errors["S6"][1]
    assert errors[""][0] == 8 and "id" in errors[""][1]
    assert errors["S8"][0] == 9


def test_every_problem_of_a_row_is_reported_at_once(tmp_path):
    rows, _ = run(write(tmp_path, f"{HEADER}\nS1,sea,x,-1,3,0.3,0.1,,\n"))
    assert rows[0]["error"].count("；") == 2


def test_blank_lines_are_skipped_but_keep_the_row_numbers(tmp_path):
    rows, _ = run(
        write(tmp_path, f"{HEADER}\n\n,,,,,,,,\nS3,river,7,6,3,0.3,0.1,,\nS4,river,7,6,3,x,0.1,,\n")
    )
    assert rows[0]["id"] == "S3"
    assert rows[1]["row"] == 5


def test_a_row_without_evaluated_items_has_no_class(tmp_path):
    rows, _ = run(write(tmp_path, "id,kind,WT,FC\nS1,river,18,300\n"))
    assert rows[0]["class"] is None
    assert rows[0]["status"] is None
    assert rows[0]["items"] == {"FC": 2}
    assert rows[0]["reference"] == ["FC"]


def test_the_header_needs_id_and_kind(tmp_path):
    with pytest.raises(CommandError, match="kind"):
        run(write(tmp_path, "id,NH3N\nS1,0.4\n"))
    with pytest.raises(CommandError, match="id"):
        run(write(tmp_path, "编号,kind,NH3N\nS1,river,0.4\n"))


def test_a_column_given_twice_is_refused(tmp_path):
    with pytest.raises(CommandError, match="twice"):
        run(write(tmp_path, "id,kind,TP,tp\nS1,river,0.1,0.2\n"))


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run(tmp_path / "nowhere.csv")


def test_an_empty_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="empty"):
        run(write(tmp_path, ""))


def test_a_file_neither_utf8_nor_gbk_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="neither UTF-8 nor GBK"):
        run(write(tmp_path, f"{HEADER}\n断面,river,7,6,3,0.3,0.1,,\n", "utf-16"))


def test_the_output_is_utf8_json_not_escaped(tmp_path):
    out = io.StringIO()
    call_command("water_quality", "classify", str(write(tmp_path, "id,kind,NH3N\n东湖,lake,3\n")), stdout=out)
    assert "东湖" in out.getvalue()
    assert "重度污染" in out.getvalue()
