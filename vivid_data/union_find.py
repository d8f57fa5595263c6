"""Disjoint sets over the integers 0..n-1 in one array: the grouping behind garment groups and split leakage.

Both join many rows (10,000 or more) into groups; an integer array costs 8 bytes a node where a
dict of strings costs a hundred.
"""

from __future__ import annotations

import numpy as np


class UnionFind:
    """Each node starts alone; :meth:`union` joins two sets (the smaller root becomes the root)."""

    def __init__(self, size: int) -> None:
        self._parent = np.arange(size, dtype=np.int64)

    def find(self, node: int) -> int:
        parent = self._parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]  # path halving: later finds are shorter
            node = int(parent[node])
        return int(node)

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self._parent[max(root_a, root_b)] = min(root_a, root_b)

    def roots(self) -> np.ndarray:
        """The root of every node's set, as an int64 array."""
        return np.array([self.find(node) for node in range(len(self._parent))], dtype=np.int64)
