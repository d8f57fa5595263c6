"""Source ``vivid_examples``: the official ViViD example clips and garments, by URL, pinned by sha256.

Files of ``data/`` in github.com/alibaba-yuanjing-aigclab/ViViD at commit
d8a01e8cd1bb60fb1993e3e2f9a9f263af62ab16 (Apache-2.0), paired as in its
``configs/prompts/upper1.yaml``. Only files whose hashes were verified are pinned; the
repository also has ``videos/lower1.mp4`` and ``cloth/051990_1.jpg``, not pinned here.
"""

from __future__ import annotations

from dataclasses import dataclass

from vivid_data.candidates import candidates_frame
from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.sources.base import SourceResult, no_resources

COMMIT = "d8a01e8cd1bb60fb1993e3e2f9a9f263af62ab16"
DEFAULT_BASE_URL = f"https://raw.githubusercontent.com/alibaba-yuanjing-aigclab/ViViD/{COMMIT}/data"
LICENSE = "Apache-2.0"
ATTRIBUTION = "ViViD (Fang et al., arXiv 2405.11794), github.com/alibaba-yuanjing-aigclab/ViViD"

SHA256 = {
    "videos/upper1.mp4": "d68905d52e88cda9212bfcff7c7fc50ac28d4941691692de5d85bbe43277746c",
    "agnostic/upper1.mp4": "edb3a07b2a94c651a13b05de3a0b40b14d56d8cabb054f899c98d0955de28f75",
    "agnostic_mask/upper1.mp4": "b0484d957f9df423c0369c1a55540f7e7c3372b41adc9d450a2711a9ae2f41c3",
    "densepose/upper1.mp4": "cbc3df66eb26d3041fae1f81ae9ff23720a01c7743e235597bae6aa3bc5129ad",
    "cloth/00057_00.jpg": "8bb45acb51a6e6a2fa714f0f273c29d3c1df101067949f6d5d71c8362f6729be",
    "cloth/00126_00.jpg": "661ebf9c36b4ef974503023f8e59fe28937757646fb27b21c960869ab1cf3ac1",
    "cloth/051985_1.jpg": "15e91d921e4709542c56c948cc52de59e78dd4cd5de53403ee0706133d12d1fe",
    "cloth_mask/00057_00.jpg": "933983cbd8bc038298651c852c7f6271f8b5ea8f6758df1189e1ad74d15e351d",
    "cloth_mask/00126_00.jpg": "ce41a47ff6ff8068c1b8983cce914d9af893a7c0bf7e314c5b698019b004bd2f",
    "cloth_mask/051985_1.jpg": "3ad6ee35d5a076d93f5ca3fcc5ded5b43b6353293f35914d1347269c55f4bf5c",
}
#: (video, garment, category), as configs/prompts/upper1.yaml pairs them
PAIRS = (
    ("upper1.mp4", "00057_00.jpg", "upper_body"),
    ("upper1.mp4", "00126_00.jpg", "upper_body"),
)


@dataclass
@defaults_from("source/vivid_examples.yaml")
class VividExamplesSource:
    """``base_url`` points at the pinned commit's ``data/``; tests point it at a loopback mirror."""

    base_url: str = FROM_YAML
    dataset_name = "vivid_examples"

    def candidates(self) -> SourceResult:
        base = self.base_url.rstrip("/")
        rows = []
        for video, garment, category in PAIRS:
            row = {
                "category": category,
                "split": "test",
                # the official examples dress each model in another person's garment: not the one worn
                "setting": "unpaired",
                "origin": f"ViViD@{COMMIT[:8]}:{video}+{garment}",
                "license": LICENSE,
                "attribution": ATTRIBUTION,
                "local_files": False,
                "product_id": garment.rsplit(".", 1)[0],
            }
            files = {
                "video": f"videos/{video}",
                "garment": f"cloth/{garment}",
                "garment_mask": f"cloth_mask/{garment}",
                "agnostic": f"agnostic/{video}",
                "agnostic_mask": f"agnostic_mask/{video}",
                "densepose": f"densepose/{video}",
            }
            for modality, relative in files.items():
                row[f"{modality}_src"] = f"{base}/{relative}"
                row[f"{modality}_sha256"] = SHA256[relative]
            row["video_url"] = f"{DEFAULT_BASE_URL}/videos/{video}"
            row["garment_url"] = f"{DEFAULT_BASE_URL}/cloth/{garment}"
            rows.append(row)
        return SourceResult(candidates_frame(rows), {"root": base})

    def open(self):
        return no_resources(self.candidates())
