from pathlib import Path

import cv2
import numpy as np

from vivid_data.quality.scores import (
    dhash,
    hamming,
    motion_score,
    plain_background_ratio,
    sharpness,
    thumbnail,
    video_hash_distance,
    video_hashes,
)
from vivid_data.video import decode_video, encode_video, read_image


def test_motion_static_vs_real(vivid_samples: Path):
    frames = decode_video(vivid_samples / "videos" / "upper1.mp4", size=(128, 96))
    assert motion_score(frames) > 1.0
    assert motion_score(np.repeat(frames[:1], 10, axis=0)) == 0.0


def test_blur_lowers_sharpness(vivid_samples: Path):
    frame = decode_video(vivid_samples / "videos" / "upper1.mp4", indices=[0], size=(256, 192))[0]
    assert sharpness(cv2.GaussianBlur(frame, (0, 0), 3)) < 0.1 * sharpness(frame)


def test_hashes_survive_reencoding_and_tell_videos_apart(vivid_samples: Path):
    path = vivid_samples / "videos" / "upper1.mp4"
    frames = decode_video(path, size=(128, 96))
    reencoded = decode_video(encode_video(decode_video(path), crf=30), size=(128, 96))
    resized = decode_video(encode_video(decode_video(path, size=(416, 312)), crf=28), size=(128, 96))
    other = decode_video(vivid_samples / "densepose" / "upper1.mp4", size=(128, 96))
    later = frames[8:]  # the same shot, shifted in time: not a copy
    assert video_hash_distance(video_hashes(frames), video_hashes(reencoded)) <= 3
    assert video_hash_distance(video_hashes(frames), video_hashes(resized)) <= 4
    assert video_hash_distance(video_hashes(frames), video_hashes(other)) >= 15
    assert video_hash_distance(video_hashes(frames[:-8]), video_hashes(later)) >= 10


def test_dhash_and_thumbnail_of_a_resized_jpeg(vivid_samples: Path):
    image = read_image(vivid_samples / "cloth" / "00057_00.jpg")
    smaller = cv2.resize(image, (384, 512), interpolation=cv2.INTER_AREA)
    assert hamming(dhash(image), dhash(smaller)) <= 4
    assert np.abs(thumbnail(image).astype(int) - thumbnail(smaller)).mean() < 3
    other = read_image(vivid_samples / "cloth" / "00126_00.jpg")
    assert np.abs(thumbnail(image).astype(int) - thumbnail(other)).mean() > 3


def test_plain_background(vivid_samples: Path):
    product = read_image(vivid_samples / "cloth" / "00057_00.jpg")
    scene = decode_video(vivid_samples / "videos" / "upper1.mp4", indices=[0])[0]
    assert plain_background_ratio(product) > 0.9
    noisy = (np.random.default_rng(0).random((200, 150, 3)) * 255).astype(np.uint8)
    assert plain_background_ratio(noisy) < 0.2
    assert plain_background_ratio(scene) < plain_background_ratio(product)
