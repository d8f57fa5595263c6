"""Running a Hydra app as a CLI: usage first in ``--help``, the closest key for a typo, quiet logs.

Every ``vivid-*`` Hydra command is an :class:`App` whose task is named by ``"module:function"``
and imported only when the command really runs, so ``--help`` and a rejected override answer in
about a second instead of loading torch, Ray or MediaPipe first.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from vivid_data import quiet

CONFIG_MODULE = "vivid_conf"
VERBOSE_FLAGS = ("-v", "--verbose")
HELP_FLAGS = ("-h", "--help")


@dataclass(frozen=True)
class App:
    name: str  # the command, e.g. vivid-build
    config_name: str  # its primary config in conf/
    summary: str  # one line: what it does
    parameters: tuple[tuple[str, str], ...]  # (key=value form, what it is) for the few keys a user sets
    examples: tuple[str, ...]
    task: str  # "module:function" taking the composed config

    def help_text(self, groups: dict[str, tuple[str, list[str]]]) -> str:
        width = max(len(form) for form, _ in self.parameters)
        lines = [f"usage: {self.name} [key=value ...] [-v]", "", self.summary, "", "parameters you usually set:"]
        lines += [f"  {form:<{width}}  {what}" for form, what in self.parameters]
        lines += ["", "examples:"] + [f"  {example}" for example in self.examples]
        if groups:
            lines += ["", "option groups (group=option; the default first):"]
            lines += [
                f"  {group}: {', '.join([chosen] + [o for o in options if o != chosen])}"
                for group, (chosen, options) in sorted(groups.items())
            ]
        lines += [
            "",
            f"Every key of the config can be set with key=value: '{self.name} --cfg job' prints them all",
            f"with their defaults, '{self.name} --hydra-help' lists Hydra's own flags.",
            "-v / verbose=true keeps the third-party logs that are silenced by default.",
        ]
        return "\n".join(lines)


def run(app: App, argv: list[str] | None = None) -> None:
    """The CLI entry point: handle -v and --help, check the overrides, then run the task under Hydra."""
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in VERBOSE_FLAGS for a in args):
        args = [a for a in args if a not in VERBOSE_FLAGS] + ["verbose=true"]
    quiet.configure(any(_is_true_override(a, "verbose") for a in args))
    if any(a in HELP_FLAGS for a in args):
        print(app.help_text(choices(app.config_name)))
        raise SystemExit(0)
    if not any(a.startswith("--") for a in args):  # --cfg, --multirun, ...: Hydra's own handling
        problem = positional_problem(app, args) or check_overrides(app.config_name, args) or preflight(app, args)
        if problem:
            print(f"{app.name}: error: {problem}\n(see '{app.name} --help')", file=sys.stderr)
            raise SystemExit(2)
    module_name, function_name = app.task.split(":")

    def task(cfg: Any) -> Any:
        return getattr(importlib.import_module(module_name), function_name)(cfg)

    import hydra

    sys.argv = [app.name, *args]
    try:
        hydra.main(version_base="1.3", config_path=f"pkg://{CONFIG_MODULE}", config_name=app.config_name)(task)()
    except KeyboardInterrupt:
        # one line, not a traceback: what was done is journaled or written atomically
        message = f"{app.name}: interrupted; what finished is kept, run the same command again to resume"
        print(f"\n{message}", file=sys.stderr)
        raise SystemExit(130) from None


def positional_problem(app: App, args: list[str]) -> str | None:
    """Hydra takes key=value only: a bare path (as most tools take one) gets the key=value form to use."""
    bare = [a for a in args if "=" not in a and not a.startswith("-")]
    if not bare:
        return None
    keys = [form.split("=")[0] for form, _ in app.parameters if "=" in form]
    example = " ".join(f"{key}={value}" for key, value in zip(keys, bare))
    return f"arguments are key=value, got {' '.join(repr(b) for b in bare)}" + (
        f"; did you mean: {app.name} {example}" if example else ""
    )


#: config keys naming folders a command writes into: an existing file there is refused up front
OUTPUT_FOLDER_KEYS = ("work_dir", "out_dir", "out")


def preflight(app: App, args: list[str]) -> str | None:
    """Before any heavy import: required keys that are still ``???``, output folders that are files."""
    from omegaconf import OmegaConf

    cfg = _compose(app.config_name, args)
    missing = sorted(k for k in OmegaConf.missing_keys(cfg) if "." not in k)
    if missing:
        forms = dict((form.split("=")[0], form) for form, _ in app.parameters)
        return "missing " + ", ".join(forms.get(k, f"{k}=...") for k in missing) + " (required)"
    for key in OUTPUT_FOLDER_KEYS:
        value = cfg.get(key) if key in cfg else None
        folder = Path(value).expanduser() if isinstance(value, str) and value else None
        if folder is not None and folder.exists() and not folder.is_dir():
            return f"{key}={value} is a file, not a folder"
    return None


def _is_true_override(arg: str, key: str) -> bool:
    name, _, value = arg.partition("=")
    return name.lstrip("+") == key and value.lower() in ("true", "1", "yes")


def group_options(group: str) -> list[str]:
    """The options of a config group: the YAML files of ``conf/<group>/``."""
    folder = files(CONFIG_MODULE) / group
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _compose(config_name: str, overrides: list[str], hydra_config: bool = False) -> Any:
    from hydra import compose, initialize_config_module

    with initialize_config_module(config_module=CONFIG_MODULE, version_base="1.3"):
        return compose(config_name=config_name, overrides=overrides, return_hydra_config=hydra_config)


def choices(config_name: str) -> dict[str, tuple[str, list[str]]]:
    """group -> (its default option, all its options), for the groups the primary config uses.

    A group off by default (``- subset_rule: null``) shows ``none`` as its default."""
    cfg = _compose(config_name, [], hydra_config=True)
    out = {}
    for group, chosen in cfg.hydra.runtime.choices.items():
        if group.startswith("hydra/"):
            continue
        base = group.split("@")[0]
        if base in out:
            continue
        out[base] = ("none" if chosen is None else str(chosen), group_options(base))
    return out


def _flat_keys(node: Any, prefix: str = "") -> Iterator[str]:
    from omegaconf import DictConfig

    if isinstance(node, DictConfig):
        for key in node:
            path = f"{prefix}{key!s}"
            yield path
            yield from _flat_keys(node._get_node(key), f"{path}.")


def check_overrides(config_name: str, overrides: list[str]) -> str | None:
    """None when the overrides compose; else a message naming the bad key and the closest valid one."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    try:
        _compose(config_name, overrides)
        return None
    except (HydraException, OmegaConfBaseException, ValueError) as exc:
        fallback = str(exc).strip().splitlines()[0]
    groups = set(_all_groups())
    selections = []
    for override in overrides:
        key, _, value = override.partition("=")
        if key in groups and not key.startswith(("+", "~")):
            options = group_options(key)
            if value not in options:
                close = difflib.get_close_matches(value, options, n=1, cutoff=0.5)
                hint = f"; did you mean {key}={close[0]}?" if close else ""
                return f"{key}={value}: no option {value!r} in group {key} (options: {', '.join(options)}){hint}"
            selections.append(override)
    try:
        base = _compose(config_name, selections)
    except (HydraException, OmegaConfBaseException, ValueError):
        return fallback
    known = sorted({k for k in _flat_keys(base) if not k.rpartition(".")[2].startswith("_")} | groups)
    for override in overrides:
        key, sep, _ = override.partition("=")
        if not sep or key.startswith(("+", "~", "hydra.")) or key in groups:
            continue
        if not _has_key(base, key):
            return f"unknown key {key!r}{_suggestion(key, known)}"
    return fallback


def _has_key(cfg: Any, dotted: str) -> bool:
    """Whether the config has the key (a value of ??? counts: it is there, only unset)."""
    from omegaconf import DictConfig

    node = cfg
    for part in dotted.split("."):
        if not isinstance(node, DictConfig) or part not in list(node.keys()):  # `in` is False for ??? values
            return False
        node = node._get_node(part)
    return True


def _suggestion(key: str, known: list[str]) -> str:
    """'; did you mean ...?' with the closest keys: among the same parent's keys first, then all keys."""
    parent = key.rpartition(".")[0]
    siblings = [k for k in known if k.rpartition(".")[0] == parent]
    close = difflib.get_close_matches(key, siblings, n=2, cutoff=0.6) or difflib.get_close_matches(
        key, known, n=2, cutoff=0.6
    )
    if not close:
        return f" (to add a new key, write +{key}=...)"
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def _all_groups() -> list[str]:
    root = files(CONFIG_MODULE)
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))
