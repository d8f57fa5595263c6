import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from vivid_data.union_find import UnionFind


def test_sets_equal_scipy_connected_components():
    rng = np.random.default_rng(0)
    size = 500
    edges = rng.integers(0, size, (300, 2))
    sets = UnionFind(size)
    for a, b in edges:
        sets.union(int(a), int(b))
    roots = sets.roots()
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(size, size))
    count, labels = connected_components(graph, directed=False)
    # the same partition: a root per scipy label and a scipy label per root
    assert len(set(roots.tolist())) == count
    assert len(set(zip(roots.tolist(), labels.tolist()))) == count
    # the smallest member of each set is its root
    for root in set(roots.tolist()):
        assert root == int(np.nonzero(roots == root)[0].min())


def test_single_nodes_are_their_own_roots():
    assert UnionFind(3).roots().tolist() == [0, 1, 2]
    assert UnionFind(0).roots().tolist() == []
