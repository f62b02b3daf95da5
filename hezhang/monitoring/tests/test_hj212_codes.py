"""Pollutant codes, in their units, to our parameters."""

import pytest

from hezhang.monitoring.hj212 import codes
from hezhang.monitoring.parameters import PARAMETERS

# How the standard's table and our parameter table write the same unit.
SAME_UNIT = {"无量纲": "dimensionless"}


def test_every_code_maps_to_a_parameter_we_know():
    assert {row.parameter for row in codes.POLLUTANTS.values()} <= set(PARAMETERS)


def test_every_code_converts_to_the_unit_of_its_parameter():
    for row in codes.POLLUTANTS.values():
        ours = PARAMETERS[row.parameter].unit
        if row.factor == 1.0:
            assert SAME_UNIT.get(row.unit, row.unit) == ours, row.code
        else:
            assert (row.unit, row.factor, ours) == ("μg/L", codes.MICROGRAM, "mg/L"), row.code


def test_every_gb3838_item_has_a_code():
    classed = {key for key, parameter in PARAMETERS.items() if parameter.classed}
    assert classed <= {row.parameter for row in codes.POLLUTANTS.values()}


def test_the_routine_surface_water_codes_are_the_ones_of_the_standard():
    expected = {
        "w01010": "WT",
        "w01001": "pH",
        "w01009": "DO",
        "w01014": "EC",
        "w01019": "CODMn",
        "w01018": "COD",
        "w21003": "NH3N",
        "w21011": "TP",
        "w21001": "TN",
    }
    assert {code: codes.POLLUTANTS[code].parameter for code in expected} == expected


def test_values_in_micrograms_are_converted_to_milligrams():
    converted = codes.to_parameters({"w20111": {"Avg": 0.05, "Flag": "N"}})
    assert converted["Hg"]["Avg"] == pytest.approx(0.00005)
    assert converted["Hg"]["Flag"] == "N"


def test_unknown_codes_and_cumulative_loads_are_left_out():
    converted = codes.to_parameters({"w99999": {"Avg": 1.0}, "w21003": {"Avg": 0.4, "Cou": 12.0}})
    assert converted == {"NH3N": {"Avg": 0.4}}


def test_the_total_form_wins_when_a_frame_has_both_codes_of_a_metal():
    converted = codes.to_parameters({"w20142": {"Avg": 0.09}, "w20111": {"Avg": 0.05}})
    assert converted["Hg"]["Avg"] == pytest.approx(0.00005)


def test_to_codes_undoes_to_parameters():
    ours = {"Hg": {"Avg": 0.00005, "Flag": "N"}, "NH3N": {"Rtd": 0.4}}
    back = codes.to_parameters(codes.to_codes(ours))
    assert back["Hg"]["Avg"] == pytest.approx(0.00005) and back["NH3N"] == {"Rtd": 0.4}


def test_the_data_commands_and_flags_are_named():
    assert codes.COMMANDS[codes.REAL_TIME] == "取/上传污染物实时数据"
    assert codes.COMMANDS[codes.HOURLY] == "取/上传污染物小时数据"
    assert codes.SYSTEMS[codes.SURFACE_WATER] == "地表水质量监测"
    assert set(codes.DATA_FLAGS) == set("NFMSDCTB")
