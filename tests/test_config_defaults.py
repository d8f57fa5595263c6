"""Defaults written once: the YAML's values reach the Python classes; a second copy is refused."""

from dataclasses import dataclass, field

import pytest

from vivid_data.config_defaults import FROM_YAML, defaults_from, yaml_defaults


def test_yaml_defaults_leave_out_targets_interpolations_and_required_values():
    shard = yaml_defaults("shard/default.yaml")
    assert "_target_" not in shard and "out_dir" not in shard  # out_dir is ${work_dir}/dataset
    assert shard["maxcount"] == 1000 and shard["name"] is None
    assert "model_path" not in yaml_defaults("pose/rtmpose.yaml", "backend")  # ??? : required
    assert "backend" not in yaml_defaults("pose/mediapipe.yaml")  # a nested config of its own


def test_fields_marked_from_yaml_get_its_values_and_mutable_ones_are_copied():
    @dataclass
    @defaults_from("clean/default.yaml")
    class Clean:
        work_dir: str
        cut_threshold: float = FROM_YAML
        resources: dict = FROM_YAML

    first, second = Clean("a"), Clean("b")
    assert first.cut_threshold == 27.0 and first.resources == {"cpus": 1, "gpus": 0}
    first.resources["cpus"] = 8
    assert second.resources["cpus"] == 1


def test_a_default_written_in_python_too_is_refused():
    with pytest.raises(TypeError, match=r"a default in Python and in conf/clean/default\.yaml"):

        @dataclass
        @defaults_from("clean/default.yaml")
        class Twice:
            cut_threshold: float = 30.0


def test_a_field_the_yaml_does_not_have_is_refused():
    with pytest.raises(TypeError, match="gives it no value"):

        @dataclass
        @defaults_from("clean/default.yaml")
        class Missing:
            no_such_setting: int = FROM_YAML


def test_a_nested_dataclass_reads_its_own_part():
    @dataclass
    @defaults_from("clean/default.yaml", "filters")
    class Filters:
        min_frames: int = FROM_YAML

    @dataclass
    @defaults_from("clean/default.yaml")
    class Stage:
        filters: Filters = field(default_factory=Filters)

    assert Stage().filters.min_frames == 24
