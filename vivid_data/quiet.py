"""Quiet by default: third-party start-up noise off in the main process and in every worker.

MediaPipe, TFLite and absl write from C++ (``W0000 ... inference_feedback_manager``, ``Created
TensorFlow Lite XNNPACK delegate``), from their own threads and before any logging is configured,
so no Python setting reaches them. A CLI therefore (1) sets the environment variables those
libraries read before they load, (2) points file descriptor 2 at /dev/null while Python's own
``sys.stderr`` (progress bars, warnings, our error messages) keeps writing to the real stderr,
and (3) sets the Python loggers of chatty libraries to errors. Worker processes inherit all of
it (Ray's get the environment through ``runtime_env``). ``verbose=true`` or ``-v`` on any CLI,
or ``VIVID_VERBOSE=1``, changes nothing and shows everything: use it when a native library
aborts without a Python traceback.
"""

from __future__ import annotations

import logging
import os
import sys

VERBOSE_ENV = "VIVID_VERBOSE"

#: set (when unset) before the noisy libraries load; inherited by worker processes
QUIET_ENV = {
    "GLOG_minloglevel": "2",  # glog (MediaPipe's C++): errors only
    "TF_CPP_MIN_LOG_LEVEL": "3",  # TensorFlow Lite
    "ABSL_MIN_LOG_LEVEL": "2",  # absl C++ logging, where the build reads it
    "RAY_DEDUP_LOGS": "1",
    "RAY_ACCEL_ENV_VAR_OVERRIDE_ON_ZERO": "0",  # Ray 2.60's FutureWarning about CUDA_VISIBLE_DEVICES
    "TRANSFORMERS_VERBOSITY": "error",
    "DIFFUSERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
}

#: Python loggers of libraries that log at INFO or WARNING on a normal run
NOISY_LOGGERS = ("absl", "ray", "diffusers", "transformers", "matplotlib", "PIL", "numexpr", "jax")


def is_verbose() -> bool:
    return os.environ.get(VERBOSE_ENV, "") not in ("", "0", "false")


def configure(verbose: bool) -> None:
    """Called by every CLI before it imports anything heavy; the choice travels to workers."""
    os.environ[VERBOSE_ENV] = "1" if verbose else "0"
    if verbose:
        return
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    native_stderr_to_null()


def native_stderr_to_null() -> None:
    """File descriptor 2 to /dev/null for native code; ``sys.stderr`` on a copy of the real one.

    Child processes inherit the silenced descriptor, and with it a silenced ``sys.stderr``.
    """
    try:
        sys.stderr.flush()
        real = os.dup(2)
        null = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):  # no descriptor 2 (an embedded interpreter): leave it
        return
    os.dup2(null, 2)
    os.close(null)
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = open(real, "w", buffering=1, encoding=encoding, errors="backslashreplace")  # noqa: SIM115


def worker_env() -> dict[str, str]:
    """What a remote worker needs to be as quiet (or as verbose) as this process."""
    names = (VERBOSE_ENV, *QUIET_ENV)
    return {name: os.environ[name] for name in names if name in os.environ}
