"""Forecasters: each turns the incidents before an origin into one risk score per cell.

scikit-learn shaped: hyperparameters are constructor arguments (``get_params``/``set_params``/
``clone`` work as there), ``fit(history, origin)`` learns from the past only and ``predict()``
returns a non-negative float array of length |A|. Higher means riskier; equal scores are tied
and broken at random by the caller.

``param_grid`` lists the values searched on the tuning origins (the protocol: tune on the year
before, freeze for the test year); models with ``needs_training`` also learn weights from the
tuning origins through ``train``.

The reference baselines (random, trailing counts, retrospective KDE, the oracle) reproduce the
numbers of the shared protocol; the literature models are the prospective hotspot of Bowers,
Johnson & Pease (2004) and the grid self-exciting point process of Mohler et al. (2015); ours are
exponentially decayed multi-year counts and a Poisson regression on multi-scale counts.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
from scipy import sparse
from scipy.special import ndtr

from anninh.forecast.history import History, PastView


class NotFittedError(RuntimeError):
    """``predict`` was called before ``fit``."""


@dataclass
class Forecaster:
    """Base class. Subclasses are dataclasses whose fields are their hyperparameters."""

    name: ClassVar[str] = "base"
    label: ClassVar[str] = "base forecaster"
    param_grid: ClassVar[dict[str, Sequence[Any]]] = {}
    needs_training: ClassVar[bool] = False
    uses_future: ClassVar[bool] = False

    def get_params(self) -> dict[str, Any]:
        """Hyperparameters as a dict."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}

    def set_params(self, **params: Any) -> Self:
        """Change hyperparameters in place."""
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"{self.name} has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def clone(self, **params: Any) -> Self:
        """A fresh, unfitted copy with some hyperparameters changed."""
        return type(self)(**{**self.get_params(), **params})

    def train(self, past: PastView, origins: Sequence[int], horizon: int = 7) -> Self:
        """Learn weights from forecasts made at ``origins`` whose outcomes ended by
        ``past.origin``. A no-op for models without learned weights."""
        return self

    def fit(self, history: History, origin: int) -> Self:
        """Compute the risk of every cell for the horizon starting at ``origin``."""
        risk = np.asarray(self._risk(history.before(int(origin))), dtype=float)
        if risk.shape != (history.n_cells,):
            raise RuntimeError(f"{self.name} returned {risk.shape} scores")
        # Negative risk has no meaning; clipping guards against round-off in smoothers.
        self.risk_ = np.maximum(risk, 0.0)
        self.origin_ = int(origin)
        return self

    def predict(self) -> np.ndarray:
        """Risk per cell from the last ``fit``."""
        if not hasattr(self, "risk_"):
            raise NotFittedError(f"{self.name}: call fit() before predict()")
        return self.risk_

    def _risk(self, past: PastView) -> np.ndarray:
        raise NotImplementedError


# --------------------------------------------------------------------------- references


@dataclass
class RandomRanking(Forecaster):
    """Every cell tied: the caller's seeded tie-break makes this a uniformly random ranking."""

    name: ClassVar[str] = "random"
    label: ClassVar[str] = "random"

    def _risk(self, past: PastView) -> np.ndarray:
        return np.zeros(past.n_cells)


@dataclass
class Oracle(Forecaster):
    """Perfect hindsight: the incidents of the scored horizon themselves. A ceiling, not a model;
    the only forecaster allowed past the origin."""

    name: ClassVar[str] = "oracle"
    label: ClassVar[str] = "perfect hindsight"
    uses_future: ClassVar[bool] = True
    horizon: int = 7

    def fit(self, history: History, origin: int) -> Self:
        self.risk_ = history.outcome(int(origin), self.horizon)
        self.origin_ = int(origin)
        return self


@dataclass
class TrailingCounts(Forecaster):
    """Incidents per cell over the last ``days`` days (last week, 8 weeks, 365 days...)."""

    name: ClassVar[str] = "counts"
    label: ClassVar[str] = "counts over a tuned trailing window"
    param_grid: ClassVar[dict[str, Sequence[Any]]] = {"days": (28, 56, 91, 182, 365, 730, 1095, 1461)}
    days: int = 365

    def _risk(self, past: PastView) -> np.ndarray:
        return past.counts(self.days)


@dataclass
class RetrospectiveKDE(Forecaster):
    """Gaussian kernel density of the last ``days`` days, integrated over each cell.

    The mass of each incident's kernel falling in each cell is computed exactly with the normal
    CDF (the kernel is separable), so a cell's score does not depend on where its centre falls
    relative to the snapped incident locations.
    """

    name: ClassVar[str] = "kde"
    label: ClassVar[str] = "Gaussian KDE"
    sigma_m: float = 200.0
    days: int = 365

    def footprint(self, history: History) -> sparse.csr_matrix:
        """Kernel mass of each incident location in each area cell (locations × |A|), built
        once per history: a location's footprint does not change with time."""

        def build() -> sparse.csr_matrix:
            _, pts = history.locations()
            grid = history.area.grid
            col = np.floor((pts[:, 0] - grid.x0) / grid.cell).astype(np.int64)
            row = np.floor((pts[:, 1] - grid.y0) / grid.cell).astype(np.int64)
            reach = math.ceil(4 * self.sigma_m / grid.cell)
            rows, cols, vals = [], [], []
            for dc in range(-reach, reach + 1):
                c = col + dc
                left = grid.x0 + c * grid.cell
                mx = ndtr((left + grid.cell - pts[:, 0]) / self.sigma_m) - ndtr(
                    (left - pts[:, 0]) / self.sigma_m
                )
                for dr in range(-reach, reach + 1):
                    r = row + dr
                    bottom = grid.y0 + r * grid.cell
                    my = ndtr((bottom + grid.cell - pts[:, 1]) / self.sigma_m) - ndtr(
                        (bottom - pts[:, 1]) / self.sigma_m
                    )
                    ok = (c >= 0) & (c < grid.nx) & (r >= 0) & (r < grid.ny)
                    pos = np.full(c.size, -1, dtype=np.int64)
                    pos[ok] = history.area.position(r[ok] * grid.nx + c[ok])
                    ok &= pos >= 0
                    rows.append(np.flatnonzero(ok))
                    cols.append(pos[ok])
                    vals.append((mx * my)[ok])
            return sparse.csr_matrix(
                (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                shape=(pts.shape[0], history.n_cells),
            )

        key = ("kde-footprint", float(self.sigma_m))
        return history.cached(key, build)  # type: ignore[return-value]

    def _risk(self, past: PastView) -> np.ndarray:
        loc, pts = past.history.locations()
        idx = past.event_index(self.days)
        if idx.size == 0:
            return np.zeros(past.n_cells)
        # Incidents snapped to the same point share one kernel, weighted by their number.
        weight = np.bincount(loc[idx], minlength=pts.shape[0]).astype(float)
        return np.asarray(self.footprint(past.history).T @ weight).reshape(-1)


# --------------------------------------------------------------------------- literature


@dataclass
class ProspectiveHotspot(Forecaster):
    """Bowers, Johnson & Pease (2004), "Prospective hot-spotting", on the grid.

    Each incident within ``bandwidth_m`` and the last ``weeks`` weeks adds
    ``1 / (1 + d) × 1 / (1 + w)`` to a cell, with ``d`` the distance between cell centres in cell
    widths and ``w`` the incident's age in whole weeks (0 for the week just before the origin).
    """

    name: ClassVar[str] = "prospective"
    label: ClassVar[str] = "prospective hotspot (Bowers, Johnson & Pease 2004)"
    param_grid: ClassVar[dict[str, Sequence[Any]]] = {
        "bandwidth_m": (200.0, 400.0),
        "weeks": (8, 26, 52),
    }
    bandwidth_m: float = 400.0
    weeks: int = 8

    def _risk(self, past: PastView) -> np.ndarray:
        weekly = past.weekly()[-self.weeks :]
        age = np.arange(weekly.shape[0])[::-1]
        recent = (1.0 / (1.0 + age)) @ weekly
        cell = past.area.grid.cell
        radius = math.floor(self.bandwidth_m / cell)
        limit = self.bandwidth_m / cell + 1e-9
        return past.area.neighbour_sum(recent, radius, lambda d: np.where(d <= limit, 1.0 / (1.0 + d), 0.0))


@dataclass
class GridSEPP(Forecaster):
    """Grid self-exciting point process of Mohler et al. (2015, JASA), fitted by EM.

    In cell c, ``λ_c(t) = μ_c + θ Σ_{t_i < t} g(t - t_i)`` with a background rate ``μ_c`` per
    cell and an exponential triggering kernel shared by all cells (``θ`` offspring per incident,
    decay ``ω``), on the incidents of the last ``window_days``. Times are whole days and the
    kernel is the discrete (geometric) form of ``ω e^{-ω t}``: ``g(k) = (1 - r) r^{k-1}`` for a
    lag of k ≥ 1 days with ``r = e^{-ω}``, so same-day incidents do not trigger each other.
    Triggering is considered up to ``max_lag_days`` back, which turns the E-step into sums over a
    short list of (incident day, earlier incident day) pairs per cell and makes EM cheap.

    The forecast is the expected count over the horizon: ``horizon × μ_c`` plus what the decaying
    excitation of past incidents still adds (cascades inside the horizon are ignored). With
    ``warm_start`` (as in scikit-learn) each fit starts from the previous fit's ``θ`` and ``ω``,
    which saves most EM iterations on weekly rolling origins.
    """

    name: ClassVar[str] = "sepp"
    label: ClassVar[str] = "grid self-exciting process (Mohler et al. 2015)"
    param_grid: ClassVar[dict[str, Sequence[Any]]] = {"window_days": (365, 730)}
    window_days: int = 365
    max_lag_days: int = 90
    horizon: int = 7
    max_iter: int = 300
    tol: float = 1e-3
    warm_start: bool = True

    def _risk(self, past: PastView) -> np.ndarray:
        day, _, _, cell = past.events(self.window_days)
        risk = np.zeros(past.n_cells)
        if day.size == 0:
            return risk
        # One entry per (cell, day) with its number of incidents, sorted by cell then day.
        key, n = np.unique(
            cell * (self.window_days + 1) + (day - past.origin + self.window_days),
            return_counts=True,
        )
        c = key // (self.window_days + 1)
        t = key % (self.window_days + 1)
        n = n.astype(float)
        # (child i, parent j) pairs: same cell, 1 <= t_i - t_j <= max_lag_days.
        children, parents = [], []
        for back in range(1, key.size):
            i = np.arange(back, key.size)
            j = i - back
            ok = (c[i] == c[j]) & (t[i] - t[j] <= self.max_lag_days)
            if not ok.any():
                break
            children.append(i[ok])
            parents.append(j[ok])
        ci = np.concatenate(children) if children else np.zeros(0, dtype=np.int64)
        pj = np.concatenate(parents) if parents else np.zeros(0, dtype=np.int64)
        lag = t[ci] - t[pj]
        lag_f = lag.astype(float)
        steps = np.arange(self.max_lag_days, dtype=float)
        n_parent, n_child = n[pj], n[ci]
        days = float(self.window_days)
        total = n.sum()
        warm = self.warm_start and getattr(self, "theta_", None) is not None
        theta = max(self.theta_, 1e-3) if warm else 0.2
        r = self.decay_ if warm else 1.0 - 1.0 / 7.0
        mu = np.bincount(c, weights=n, minlength=past.n_cells) * (1.0 - theta) / days
        self.n_iter_ = 0
        for it in range(self.max_iter):
            # Kernel by table lookup: far cheaper than a power per pair.
            g = ((1.0 - r) * r**steps)[lag - 1]
            weight = theta * n_parent * g
            lam = mu[c] + np.bincount(ci, weights=weight, minlength=key.size)
            # Expected number of each parent's offspring among each child entry's incidents.
            pair = weight / lam[ci] * n_child
            p_bg = mu[c] / lam
            n_trig = pair.sum()
            new_mu = np.bincount(c, weights=n * p_bg, minlength=past.n_cells) / days
            new_theta = float(min(n_trig / total, 0.95))
            mean_lag = float((pair * lag_f).sum() / n_trig) if n_trig > 0 else 1.0
            new_r = float(np.clip(1.0 - 1.0 / max(mean_lag, 1.0 + 1e-9), 1e-6, 0.999))
            # Change in θ, r and in each cell's expected background count over the window.
            delta = max(abs(new_theta - theta), abs(new_r - r), float(np.abs(new_mu - mu).max()) * days)
            mu, theta, r = new_mu, new_theta, new_r
            self.n_iter_ = it + 1
            if delta < self.tol:
                break
        self.theta_, self.decay_ = theta, r
        self.omega_ = -math.log(r)
        self.mu_ = mu
        # Excitation carried into the horizon by incidents within max_lag_days of the origin.
        end = self.window_days  # the origin, in the same day coordinates as t
        age = end - t
        recent = age <= self.max_lag_days
        carry = np.zeros(past.n_cells)
        for d in range(self.horizon):
            k = (age + d).astype(float)
            carry += np.bincount(
                c[recent], weights=(n * (1.0 - r) * r ** (k - 1.0))[recent], minlength=past.n_cells
            )
        return self.horizon * mu + theta * carry


# --------------------------------------------------------------------------- ours


@dataclass
class DecayedCounts(Forecaster):
    """Counts over all history with exponentially decaying weights (half-life tuned)."""

    name: ClassVar[str] = "decay"
    label: ClassVar[str] = "ours: exponentially decayed multi-year counts"
    param_grid: ClassVar[dict[str, Sequence[Any]]] = {
        "half_life_weeks": (13.0, 26.0, 52.0, 104.0, 208.0, 416.0)
    }
    half_life_weeks: float = 52.0

    def _risk(self, past: PastView) -> np.ndarray:
        return past.decayed_rate(self.half_life_weeks)


def _ring(radius_low: float, radius_high: float) -> Any:
    """Weight function selecting neighbours with ``radius_low < distance <= radius_high``."""
    return lambda d: ((d > radius_low + 1e-9) & (d <= radius_high + 1e-9)).astype(float)


@dataclass
class PoissonRegression(Forecaster):
    """Ours: a Poisson regression of next week's count on multi-scale features of the past.

    Features (``log1p`` of each): the decayed weekly rate with the tuned half-life and with a
    short one (13 weeks), counts in the last 1 and 4 weeks, the decayed rate of the 8 adjacent
    cells and of the 16 cells in the next ring, the same fortnight in previous years
    (seasonality), and, when the history has a context (e.g. all offence types while forecasting
    one), the context's decayed rate, its last-4-week counts and its 8-neighbour rate. The
    weights are learned by ridge-penalised IRLS on the tuning origins (every cell × origin is an
    example) and then frozen, as the protocol asks.
    """

    name: ClassVar[str] = "ours"
    label: ClassVar[str] = "ours: Poisson regression on multi-scale counts"
    param_grid: ClassVar[dict[str, Sequence[Any]]] = {"half_life_weeks": (52.0, 104.0, 208.0, 416.0)}
    needs_training: ClassVar[bool] = True
    half_life_weeks: float = 104.0
    l2: float = 1e-3
    max_iter: int = 50

    def features(self, past: PastView) -> np.ndarray:
        """Feature matrix (|A| × p) seen from ``past.origin``, memoised per origin (training
        and scoring on the tuning weeks need the same features)."""
        cache = self.__dict__.setdefault("_features", {})
        if cache.get("history") is not past.history:
            cache.clear()
            cache["history"] = past.history
        if past.origin not in cache:
            cache[past.origin] = self._compute_features(past)
        return cache[past.origin]  # type: ignore[no-any-return]

    def _compute_features(self, past: PastView) -> np.ndarray:
        area = past.area
        weekly = past.weekly()
        long = past.decayed_rate(self.half_life_weeks)
        short = past.decayed_rate(13.0)
        season = np.zeros(past.n_cells)
        years = 0
        n = weekly.shape[0]
        for lag in range(1, 6):
            # Weeks of the target's fortnight one, two... years back (52 weeks = 364 days).
            mid = n - 52 * lag
            if mid - 1 < 0:
                break
            season += weekly[max(mid - 1, 0) : mid + 2].sum(axis=0)
            years += 1
        season = season / max(years, 1)
        cols = [
            long * 52,
            short * 52,
            past.counts(7),
            past.counts(28),
            area.neighbour_sum(long * 52, 1, _ring(0.0, 1.5)),
            area.neighbour_sum(long * 52, 2, _ring(1.5, 2.9)),
            season,
        ]
        ctx = past.context
        if ctx is not None:
            ctx_long = ctx.decayed_rate(self.half_life_weeks) * 52
            cols += [ctx_long, ctx.counts(28), area.neighbour_sum(ctx_long, 1, _ring(0.0, 1.5))]
        return np.log1p(np.column_stack(cols))

    def train(self, past: PastView, origins: Sequence[int], horizon: int = 7) -> Self:
        """Fit the weights on forecasts made at ``origins`` (each outcome must end by
        ``past.origin``)."""
        xs, ys = [], []
        for origin in origins:
            if origin + horizon > past.origin:
                raise ValueError("a training outcome would reach past the view's origin")
            xs.append(self.features(past.at(origin)))
            ys.append(past.counts_between(origin, origin + horizon))
        if not xs:
            raise ValueError("no training origins")
        x = np.vstack(xs)
        y = np.concatenate(ys)
        self.mean_ = x.mean(axis=0)
        self.scale_ = x.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        z = np.column_stack([np.ones(len(x)), (x - self.mean_) / self.scale_])
        self.coef_ = _poisson_irls(z, y, self.l2, self.max_iter)
        return self

    def _risk(self, past: PastView) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise NotFittedError("ours: call train() on past origins before fit()")
        x = (self.features(past) - self.mean_) / self.scale_
        if x.shape[1] != self.coef_.size - 1:
            raise ValueError("features differ from training (context present in one only?)")
        return np.exp(np.clip(self.coef_[0] + x @ self.coef_[1:], -50, 50))


def _poisson_irls(z: np.ndarray, y: np.ndarray, l2: float, max_iter: int) -> np.ndarray:
    """Ridge-penalised Poisson regression (log link) by Newton/IRLS; no penalty on the
    intercept in column 0. The penalty is per example so its strength does not depend on the
    number of origins × cells."""
    n, p = z.shape
    coef = np.zeros(p)
    coef[0] = math.log(max(y.mean(), 1e-12))
    penalty = np.full(p, l2 * n)
    penalty[0] = 0.0
    for _ in range(max_iter):
        mu = np.exp(np.clip(z @ coef, -50, 50))
        grad = z.T @ (y - mu) - penalty * coef
        hess = (z * mu[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        # Halve the step while it does not improve the penalised likelihood (rarely needed).
        loglik = float(y @ (z @ coef) - mu.sum() - 0.5 * (penalty * coef**2).sum())
        scale = 1.0
        while scale > 1e-4:
            trial = coef + scale * step
            eta = np.clip(z @ trial, -50, 50)
            new = float(y @ eta - np.exp(eta).sum() - 0.5 * (penalty * trial**2).sum())
            if new >= loglik - 1e-9:
                break
            scale /= 2
        coef = coef + scale * step
        if np.abs(scale * step).max() < 1e-6:
            break
    return coef


# --------------------------------------------------------------------------- registry

#: Every model the backtest knows, by name. Some names are fixed-parameter instances of one
#: class (the protocol's reference baselines), which are not tuned.
_REGISTRY: dict[str, tuple[type[Forecaster], dict[str, Any], bool, str]] = {
    "random": (RandomRanking, {}, False, "random"),
    "last-week": (TrailingCounts, {"days": 7}, False, "last week's counts"),
    "counts-8w": (TrailingCounts, {"days": 56}, False, "counts over the last 8 weeks"),
    "counts-365d": (TrailingCounts, {"days": 365}, False, "counts over 365 days, the bar"),
    "kde": (RetrospectiveKDE, {"sigma_m": 200.0, "days": 365}, False, "KDE σ=200 m, 365 days"),
    "counts": (TrailingCounts, {}, True, "counts, window tuned"),
    "prospective": (ProspectiveHotspot, {}, True, ProspectiveHotspot.label),
    "sepp": (GridSEPP, {}, True, GridSEPP.label),
    "decay": (DecayedCounts, {}, True, DecayedCounts.label),
    "ours": (PoissonRegression, {}, True, PoissonRegression.label),
    "oracle": (Oracle, {}, False, Oracle.label),
}

MODEL_NAMES: tuple[str, ...] = tuple(_REGISTRY)
BEST_MODEL = "ours"
BAR_MODEL = "counts-365d"


def make_model(name: str) -> Forecaster:
    """A fresh model by registry name (``best`` is ours)."""
    if name == "best":
        name = BEST_MODEL
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")
    cls, params, _, _ = _REGISTRY[name]
    return cls(**params)


def is_tuned(name: str) -> bool:
    """Whether the backtest searches this model's ``param_grid`` on the tuning origins."""
    return _REGISTRY[BEST_MODEL if name == "best" else name][2]


def model_label(name: str) -> str:
    """Human-readable description of a registry name."""
    return _REGISTRY[BEST_MODEL if name == "best" else name][3]
