"""Getis-Ord Gi* hot spots on areal units (communes, grid cells).

For unit i with neighbourhood weights w_ij (the unit itself included, w_ii = 1, as Gi*
requires), values x, n units, mean X̄ and S = sqrt(Σx²/n − X̄²):

    Gi* = (Σ_j w_ij x_j − X̄ Σ_j w_ij) / (S · sqrt((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))

a z-score: large positive = a cluster of high values (hot spot), large negative = a cluster of
low values (cold spot). Two-sided p-values from the normal distribution; with many units,
correct for multiple testing (Benjamini–Hochberg false discovery rate, `fdr=True`).
Pure numpy/scipy; no Django. Contiguity from polygons takes shapely geometries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.stats import norm


class GiStarError(ValueError):
    """Input the statistic cannot be computed on."""


@dataclass(frozen=True)
class GiStarResult:
    z: np.ndarray
    p_value: np.ndarray
    significant: np.ndarray  # bool, after the FDR correction if asked
    hot: np.ndarray  # significant and z > 0
    cold: np.ndarray  # significant and z < 0


def with_self(w) -> sparse.csr_matrix:
    """The weights with 1 on the diagonal (binary weights: each unit its own neighbour)."""
    w = sparse.csr_matrix(w, dtype=float)
    w = w.tolil()
    w.setdiag(1.0)
    return w.tocsr()


def grid_queen(rows: int, cols: int) -> sparse.csr_matrix:
    """Queen contiguity on a rows × cols grid (cell index r * cols + c), self included."""
    if rows < 1 or cols < 1:
        raise GiStarError("the grid must have at least one row and one column")
    n = rows * cols
    r, c = np.divmod(np.arange(n), cols)
    src, dst = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            rr, cc = r + dr, c + dc
            ok = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
            src.append(np.arange(n)[ok])
            dst.append((rr * cols + cc)[ok])
    s, d = np.concatenate(src), np.concatenate(dst)
    return sparse.csr_matrix((np.ones(len(s)), (s, d)), shape=(n, n))


def polygon_contiguity(geometries, tolerance: float = 0.0) -> sparse.csr_matrix:
    """Binary contiguity of shapely geometries (sharing a boundary or overlapping, within
    `tolerance` in the geometries' units for boundaries that do not quite meet), self included."""
    from shapely import STRtree

    geoms = list(geometries)
    tree = STRtree(geoms)
    grown = [g.buffer(tolerance) if tolerance else g for g in geoms]
    src, dst = [], []
    for i, g in enumerate(grown):
        for j in tree.query(g, predicate="intersects"):
            src.append(i)
            dst.append(int(j))
    n = len(geoms)
    w = sparse.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    w.data[:] = 1.0
    return with_self(w)


def distance_band(x, y, threshold: float) -> sparse.csr_matrix:
    """Binary weights: units whose centres are within `threshold`, self included."""
    from scipy.spatial import cKDTree

    pts = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    pairs = cKDTree(pts).query_pairs(threshold, output_type="ndarray")
    n = len(pts)
    s = np.concatenate([pairs[:, 0], pairs[:, 1]]) if len(pairs) else np.empty(0, int)
    d = np.concatenate([pairs[:, 1], pairs[:, 0]]) if len(pairs) else np.empty(0, int)
    return with_self(sparse.csr_matrix((np.ones(len(s)), (s, d)), shape=(n, n)))


def benjamini_hochberg(p: np.ndarray, alpha: float) -> np.ndarray:
    """Which p-values are significant at false discovery rate `alpha`."""
    p = np.asarray(p, float)
    n = p.size
    if n == 0:
        return np.zeros(0, bool)
    order = np.argsort(p)
    thresholds = alpha * np.arange(1, n + 1) / n
    passed = p[order] <= thresholds
    out = np.zeros(n, bool)
    if passed.any():
        k = np.max(np.nonzero(passed)[0])
        out[order[: k + 1]] = True
    return out


def gi_star(values, weights, *, alpha: float = 0.05, fdr: bool = False) -> GiStarResult:
    """Gi* z-scores of `values` (n) with weights (n × n, self included)."""
    x = np.asarray(values, dtype=float)
    n = x.size
    w = sparse.csr_matrix(weights, dtype=float)
    if w.shape != (n, n):
        raise GiStarError("the weights must be an n × n matrix for n values")
    if n < 3:
        raise GiStarError("at least three units are needed")
    if not np.all(np.isfinite(x)):
        raise GiStarError("values must be finite numbers")
    mean = x.mean()
    s = np.sqrt(max((x**2).mean() - mean**2, 0.0))
    wsum = np.asarray(w.sum(axis=1)).ravel()
    w2sum = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    lag = w @ x
    if s == 0:
        z = np.zeros(n)
    else:
        denom = s * np.sqrt(np.maximum(n * w2sum - wsum**2, 0.0) / (n - 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(denom > 0, (lag - mean * wsum) / np.where(denom > 0, denom, 1), 0.0)
    p = 2 * norm.sf(np.abs(z))
    sig = benjamini_hochberg(p, alpha) if fdr else p < alpha
    return GiStarResult(z, p, sig, sig & (z > 0), sig & (z < 0))
