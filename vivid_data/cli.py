"""``vivid-build``: the Hydra app that builds a dataset; works from any working directory."""

from __future__ import annotations

import sys

import hydra
from hydra.errors import InstantiationException
from omegaconf import DictConfig

from vivid_data.build import BuildConfigError, run_build
from vivid_data.formats.folder_pair import FolderImportError
from vivid_data.formats.pairs import PairsFileError
from vivid_data.manifest import ManifestError
from vivid_data.shards.index import DatasetIndexError, verify_dataset
from vivid_data.stages.runner import StageSetupError
from vivid_data.video import MediaError
from vivid_data.worklock import WorkDirBusyError

CONFIG_PATH = "pkg://vivid_conf"
#: errors that say what is wrong with the input or the machine: printed in one line, exit 2
USER_ERRORS = (FolderImportError, PairsFileError, ManifestError, MediaError, DatasetIndexError, BuildConfigError,
               StageSetupError, WorkDirBusyError, OSError, ValueError)


@hydra.main(version_base="1.3", config_path=CONFIG_PATH, config_name="build")
def main(cfg: DictConfig) -> None:
    try:
        if cfg.get("verify"):
            problems = verify_dataset(cfg.verify)
            for problem in problems:
                print(f"vivid-build: verify: {problem}", file=sys.stderr)
            print(f"{cfg.verify}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
            sys.exit(1 if problems else 0)
        run_build(cfg)
    except InstantiationException as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, USER_ERRORS) else None
        if cause is None:
            raise
        print(f"vivid-build: error: {cause}", file=sys.stderr)
        sys.exit(2)
    except USER_ERRORS as exc:
        print(f"vivid-build: error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
