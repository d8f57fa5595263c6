"""The Hydra CLIs as a user meets them: usage-first help, closest-key errors, -v, lazy imports."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vivid_data.hydra_cli import check_overrides, choices, group_options

COMMANDS = ("vivid-build", "vivid-eval", "vivid-generate", "vivid-train")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA")}
    command = [str(Path(sys.executable).parent / args[0]), *args[1:]]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_starts_with_usage_parameters_and_an_example(command: str, tmp_path: Path):
    result = run(command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"usage: {command} [key=value ...] [-v]"
    text = result.stdout
    assert "parameters you usually set:" in text and "examples:" in text and f"  {command} " in text
    assert text.index("examples:") < text.index("option groups")
    assert "_target_" not in text  # no config dump
    assert not (tmp_path / "outputs").exists() and not list(tmp_path.iterdir())  # nothing written


def test_help_of_eval_explains_predictions_and_references():
    text = run("vivid-eval", "--help").stdout
    assert "predictions=DIR" in text and "references=DATASET_OR_FOLDER" in text
    assert "protocol: vivid_v1, catv2ton_compat" in text


def test_help_of_build_lists_a_group_that_is_off_by_default():
    text = run("vivid-build", "--help").stdout
    assert "  subset_rule: none, no_back, vivid_s_like" in text


def test_help_of_generate_says_how_to_try_the_model_on_a_cpu():
    text = run("vivid-generate", "--help").stdout
    assert "model=tiny" in text and "CPU" in text


def test_entry_points_do_not_import_the_heavy_libraries():
    code = (
        "import sys, vivid_data.cli, vivid_eval.cli, vivid_model.cli, vivid_eval; "
        "heavy = sorted(m for m in ('torch', 'mediapipe', 'ray', 'diffusers', 'cv2', 'pandas') if m in sys.modules); "
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.parametrize(
    ("config", "override", "expected"),
    [
        ("build", "sorce=example", "unknown key 'sorce'; did you mean 'source'?"),
        ("build", "workdir=/tmp/x", "did you mean 'work_dir'?"),
        ("build", "clean.filters.min_frame=3", "did you mean 'clean.filters.min_frames'"),
        ("build", "executor.worker=2", "did you mean 'executor.workers'?"),
        ("build", "source=exampel", "no option 'exampel' in group source"),
        ("eval", "refrences=/data", "did you mean 'references'?"),
        ("generate", "model=tny", "did you mean model=tiny?"),
        ("build", "zzzz_unrelated=1", "to add a new key, write +zzzz_unrelated=..."),
    ],
)
def test_a_mistyped_key_gets_the_closest_valid_one(config: str, override: str, expected: str):
    required = {"eval": ["predictions=p"], "generate": ["references=r", "out_dir=o"]}.get(config, [])
    message = check_overrides(config, [*required, override])
    assert message is not None and expected in message, message


def test_valid_overrides_pass_the_check():
    assert check_overrides("build", ["source=url_list", "path=x.csv", "clean.filters.min_frames=10"]) is None
    assert check_overrides("eval", ["predictions=p", "references=r", "metric.lpips.net=squeeze"]) is None
    assert check_overrides("build", ["+my_note=hello"]) is None


def test_a_mistyped_key_exits_2_with_the_suggestion_and_writes_nothing(tmp_path: Path):
    result = run("vivid-build", "sorce=example", f"work_dir={tmp_path / 'w'}", cwd=tmp_path)
    assert result.returncode == 2
    assert "vivid-build: error: unknown key 'sorce'; did you mean 'source'?" in result.stderr
    assert "+sorce" not in result.stderr and not (tmp_path / "w").exists()


def test_dash_v_sets_verbose_and_cfg_job_still_reaches_hydra(tmp_path: Path):
    quiet = run("vivid-build", "--cfg", "job", cwd=tmp_path)
    loud = run("vivid-build", "-v", "--cfg", "job", cwd=tmp_path)
    assert quiet.returncode == 0 and loud.returncode == 0, loud.stderr
    assert "verbose: false" in quiet.stdout and "verbose: true" in loud.stdout
    assert "_target_: vivid_data.stages.clean.CleanStage" in quiet.stdout  # the full config on request


def test_choices_and_group_options_come_from_the_config_package():
    build = choices("build")
    assert build["source"][0] == "example" and "url_list" in build["source"][1]
    assert "metric" not in build and "model" not in build  # only the groups the command uses
    assert choices("eval")["protocol"] == ("vivid_v1", ["catv2ton_compat", "vivid_v1"])
    assert group_options("no_such_group") == []


def test_argument_errors_are_one_line_before_any_heavy_import(tmp_path: Path):
    """A bare path, a missing required key, an output folder that is a file: exit 2, one line, nothing written."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    cases = [
        (
            ("vivid-eval", "preds/x", "data/"),
            "arguments are key=value, got 'preds/x' 'data/'; did you mean: "
            "vivid-eval predictions=preds/x references=data/",
        ),
        (("vivid-eval", "predictions=x"), "missing references=DATASET_OR_FOLDER (required)"),
        (("vivid-build", "source=example", f"work_dir={afile}"), f"work_dir={afile} is a file, not a folder"),
    ]
    for args, message in cases:
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        first = result.stderr.splitlines()[0]
        assert first == f"{args[0]}: error: {message}" and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.slow
def test_ctrl_c_ends_with_one_line_and_a_rerun_resumes(tmp_path: Path):
    import signal
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA")}
    command = [str(Path(sys.executable).parent / "vivid-build"), "source=example", f"work_dir={tmp_path / 'w'}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while not (tmp_path / "w" / "journal").is_dir() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert err.rstrip().splitlines()[-1] == (
        "vivid-build: interrupted; what finished is kept, run the same command again to resume"
    )
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
