"""Recognise media by magic bytes, so a file's name or a server's Content-Type is never trusted."""

from __future__ import annotations

from pathlib import Path

VIDEO_KINDS = frozenset({"mp4", "mov", "webm", "mkv", "avi"})
IMAGE_KINDS = frozenset({"jpeg", "png", "webp", "gif", "bmp"})

SNIFF_BYTES = 64


def sniff_bytes(head: bytes) -> str | None:
    """Return the media kind of a file from its first bytes, ``"html"`` for markup, or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        return "mov" if brand == b"qt  " else "mp4"
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "mov"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "mkv"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"BM"):
        return "bmp"
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # also PyTorch checkpoints
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<!--")):
        return "html"
    return None


def sniff_file(path: str | Path) -> str | None:
    """Media kind of the file at ``path`` from its magic bytes (see :func:`sniff_bytes`)."""
    with open(path, "rb") as handle:
        return sniff_bytes(handle.read(SNIFF_BYTES))
