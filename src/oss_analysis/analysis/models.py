"""Statistics used by the notebooks, all through statsmodels, returned as plain frames so that
notebooks show them and tests check them against independent computations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class LinearFit:
    """An OLS fit y = a + b x with what a reader needs to judge it."""

    n: int
    intercept: float
    slope: float
    slope_ci: tuple[float, float]
    r2: float
    residual_se: float
    table: pd.DataFrame  # coefficient table
    degenerate: bool  # points exactly on a line: zero residual variance, intervals not estimable
    band: pd.DataFrame  # x, fit, ci_low, ci_high (95% confidence band of the mean)
    fitted: pd.DataFrame  # the input rows with fitted value and residual


def ols_line(frame: pd.DataFrame, x: str, y: str, *, alpha: float = 0.05, grid: int = 50) -> LinearFit:
    """Fit ``y ~ x`` by OLS; a 95% band over the observed range of x."""
    # the two modules used, not statsmodels.api, which imports all of statsmodels (0.6 s more)
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    data = frame.dropna(subset=[x, y]).reset_index(drop=True)
    model = OLS(data[y].astype(float), add_constant(data[x].astype(float))).fit()
    ci = model.conf_int(alpha)
    table = pd.DataFrame({"term": ["intercept", x], "estimate": model.params.to_numpy(),
                          "std_error": model.bse.to_numpy(), "t": model.tvalues.to_numpy(),
                          "p_value": model.pvalues.to_numpy(), "ci_low": ci[0].to_numpy(), "ci_high": ci[1].to_numpy()})
    xs = np.linspace(data[x].min(), data[x].max(), grid)
    pred = model.get_prediction(add_constant(pd.Series(xs, name=x), has_constant="add")).summary_frame(alpha=alpha)
    band = pd.DataFrame({x: xs, "fit": pred["mean"].to_numpy(), "ci_low": pred["mean_ci_lower"].to_numpy(),
                         "ci_high": pred["mean_ci_upper"].to_numpy()})
    residual_se = float(np.sqrt(model.scale))
    return LinearFit(
        n=int(model.nobs), intercept=float(model.params.iloc[0]), slope=float(model.params.iloc[1]),
        slope_ci=(float(ci.iloc[1, 0]), float(ci.iloc[1, 1])), r2=float(model.rsquared),
        residual_se=residual_se, table=table, band=band,
        fitted=data.assign(fitted=model.fittedvalues.to_numpy(), residual=model.resid.to_numpy()),
        degenerate=bool(residual_se <= 1e-9 * max(1.0, float(data[y].abs().max()))),
    )


def slope_bounds_from_rounding(x: pd.Series, y: pd.Series, half_step: float) -> tuple[float, float]:
    """Range of slopes between the first and last point when each printed value may be off by
    ``half_step`` (rounding): the only uncertainty left when the points lie exactly on a line."""
    order = x.sort_values().index
    dx = float(x[order[-1]] - x[order[0]])
    dy = float(y[order[-1]] - y[order[0]])
    return (dy - 2 * half_step) / dx, (dy + 2 * half_step) / dx


def wilson_interval(pct: float, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval (in percent) for a percentage observed in a sample of n."""
    from statsmodels.stats.proportion import proportion_confint

    count = round(pct / 100 * n)
    low, high = proportion_confint(count, n, alpha=alpha, method="wilson")
    return 100 * float(low), 100 * float(high)


def two_proportions(count1: int, n1: int, count2: int, n2: int) -> dict[str, float]:
    """Two-sided z-test that two proportions are equal, with the difference and its 95% interval."""
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    z, p = proportions_ztest([count1, count2], [n1, n2])
    low, high = confint_proportions_2indep(count1, n1, count2, n2, method="wald")
    return {"z": float(z), "p_value": float(p), "difference": count1 / n1 - count2 / n2,
            "diff_ci_low": float(low), "diff_ci_high": float(high)}
