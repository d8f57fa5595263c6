"""``vivid-build``: the Hydra app that builds a dataset; works from any working directory."""

from __future__ import annotations

import sys
from typing import Any

from vivid_data.hydra_cli import App, run

APP = App(
    name="vivid-build",
    config_name="build",
    summary=(
        "Build a try-on dataset: fetch garment-video pairs from a source, clean, pose-annotate and parse\n"
        "them, and write WebDataset shards. Resumable: run it again to continue a killed build."
    ),
    parameters=(
        ("source=example|url_list|catalog|vivid_folder", "where the pairs come from (an option group)"),
        ("path=FILE_OR_FOLDER", "the URL list (csv/jsonl/parquet) or ViViD folder the source reads"),
        ("work_dir=DIR", "content store, manifests, journal and dataset/ (default: vivid_work)"),
        ("executor=local|ray executor.workers=N", "worker processes on this machine, or a Ray cluster"),
        ("stages=[ingest,clean,pose,parse,shard]", "the stages to run, in order"),
        ("export_to=DIR", "also write the ok samples in ViViD's released folder layout"),
        ("verify=DIR", "only check a built dataset against its dataset.json"),
    ),
    examples=(
        "vivid-build source=example work_dir=/tmp/demo",
        "vivid-build source=url_list path=pairs.csv work_dir=/data/work executor.workers=8",
        "vivid-build source=vivid_folder path=/data/ViViD stages=[ingest,clean,shard] export_to=/data/export",
    ),
    task="vivid_data.cli:build",
)


def main() -> None:
    run(APP)


def build(cfg: Any) -> None:
    """The task: verify or build; errors about the input or the machine in one line, exit 2."""
    from hydra.errors import InstantiationException

    from vivid_data.build import BuildConfigError, run_build
    from vivid_data.formats.folder_pair import FolderImportError
    from vivid_data.formats.pairs import PairsFileError
    from vivid_data.heap import prepare_main_process
    from vivid_data.manifest import ManifestError
    from vivid_data.shards.index import DatasetIndexError, verify_dataset
    from vivid_data.stages.runner import StageSetupError
    from vivid_data.video import MediaError
    from vivid_data.worklock import WorkDirBusyError

    user_errors = (FolderImportError, PairsFileError, ManifestError, MediaError, DatasetIndexError, BuildConfigError,
                   StageSetupError, WorkDirBusyError, OSError, ValueError)  # fmt: skip
    prepare_main_process()  # this process coordinates the build and ends with it
    try:
        if cfg.get("verify"):
            problems = verify_dataset(cfg.verify)
            for problem in problems:
                print(f"vivid-build: verify: {problem}", file=sys.stderr)
            print(f"{cfg.verify}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
            sys.exit(1 if problems else 0)
        run_build(cfg)
    except InstantiationException as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, user_errors) else None
        if cause is None:
            raise
        print(f"vivid-build: error: {cause}", file=sys.stderr)
        sys.exit(2)
    except user_errors as exc:
        print(f"vivid-build: error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
