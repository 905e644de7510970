"""Plots of one audit or a fleet (matplotlib). Each function returns a `Figure`: Jupyter
shows it inline, `figure.savefig("x.png")` writes it, and the HTML report embeds it.

Countries are ISO 3166 codes from the jurisdiction data ("?" where the operator or supplier
is unknown); colours are fixed per outcome so fail is always red.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

if TYPE_CHECKING:
    import pandas as pd

# worst first; inconclusive (too little examined for a pass) is grey: no finding, no assurance
OUTCOME_COLOURS = {
    "fail": "#c62828",
    "review": "#f9a825",
    "inconclusive": "#9e9e9e",
    "pass": "#2e7d32",
}
UNKNOWN = "?"


class Plot(Figure):
    """A matplotlib `Figure` that Jupyter shows as a PNG whatever the plotting backend."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=96)
        return buffer.getvalue()


def _figure(rows: int = 1, *, height: float = 3.2) -> tuple[Figure, object]:
    figure = Plot(figsize=(7.5, max(height, 0.45 * rows + 1.2)), layout="constrained")
    return figure, figure.add_subplot()


def _empty(ax: object, title: str, note: str) -> None:
    ax.set_title(title)  # type: ignore[attr-defined]
    ax.text(0.5, 0.5, note, ha="center", va="center", transform=ax.transAxes)  # type: ignore[attr-defined]
    ax.set_axis_off()  # type: ignore[attr-defined]


def stacked_bars(
    counts: pd.DataFrame, *, title: str, xlabel: str, colours: dict[str, str] | None = None
) -> Figure:
    """Horizontal stacked bars: one bar per index value, one segment per column."""
    figure, ax = _figure(len(counts))
    if counts.empty:
        _empty(ax, title, "nothing to show")
        return figure
    left = None
    for column in counts.columns:
        values = counts[column].to_numpy()
        colour = (colours or {}).get(str(column))
        ax.barh(counts.index.astype(str), values, left=left, label=str(column), color=colour)  # type: ignore[attr-defined]
        left = values if left is None else left + values
    ax.invert_yaxis()  # type: ignore[attr-defined]
    ax.set_title(title)  # type: ignore[attr-defined]
    ax.set_xlabel(xlabel)  # type: ignore[attr-defined]
    ax.legend(loc="lower right", fontsize="small")  # type: ignore[attr-defined]
    return figure


def endpoints_by_country(endpoints: pd.DataFrame) -> Figure:
    """Outbound endpoints by operator country (registration country where the operator is
    not known), one colour per role."""
    import pandas as pd

    out = endpoints[endpoints["outbound"].astype(bool)] if len(endpoints) else endpoints
    if out.empty:
        return stacked_bars(pd.DataFrame(), title="Outbound endpoints", xlabel="endpoints")
    country = out["operator_country"].fillna(out["registration_country"]).fillna(UNKNOWN)
    role = out["role"].fillna("unclassified")
    counts = pd.crosstab(country, role)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False).index]
    return stacked_bars(
        counts, title="Outbound endpoints by operator country and role", xlabel="endpoints"
    )


def components_by_supplier_country(components: pd.DataFrame) -> Figure:
    """Components counted by their supplier's country ("?" for open source or unknown)."""
    import pandas as pd

    if components.empty:
        return stacked_bars(pd.DataFrame(), title="Components", xlabel="components")
    country = components["supplier_country"].fillna(UNKNOWN)
    counts = pd.DataFrame({"components": country.value_counts()})
    return stacked_bars(counts, title="Components by supplier country", xlabel="components")


def verdicts_by_policy(verdicts: pd.DataFrame) -> Figure:
    """Verdicts per policy, stacked by outcome (fail red, review amber, inconclusive grey,
    pass green)."""
    import pandas as pd

    if verdicts.empty:
        return stacked_bars(pd.DataFrame(), title="Verdicts", xlabel="verdicts")
    counts = pd.crosstab(verdicts["policy"], verdicts["outcome"])
    counts = counts[[o for o in OUTCOME_COLOURS if o in counts.columns]]
    return stacked_bars(
        counts, title="Verdicts per policy", xlabel="verdicts", colours=OUTCOME_COLOURS
    )


def fleet_makers(fleet: pd.DataFrame) -> Figure:
    """Images per attributed maker and its country."""
    import pandas as pd

    ok = fleet[fleet["status"] == "ok"]
    labels = [
        f"{maker} ({country})" if country else str(maker)
        for maker, country in zip(
            ok["maker"].fillna("not attributed"), ok["maker_country"].fillna(""), strict=True
        )
    ]
    counts = pd.DataFrame({"images": pd.Series(Counter(labels))}).sort_values(
        "images", ascending=False
    )
    return stacked_bars(counts, title="Images by maker", xlabel="images")


def fleet_countries(findings: pd.DataFrame) -> Figure:
    """Images with outbound endpoints operated from each country."""
    import pandas as pd

    endpoints = findings[(findings["kind"] == "endpoint") & findings["outbound"].fillna(False)]
    if endpoints.empty:
        return stacked_bars(pd.DataFrame(), title="Endpoint countries", xlabel="images")
    country = endpoints["country"].fillna(endpoints["registration_country"]).fillna(UNKNOWN)
    images = endpoints.assign(country=country).groupby("country")["sha256"].nunique()
    counts = pd.DataFrame({"images": images.sort_values(ascending=False)})
    return stacked_bars(
        counts, title="Images calling endpoints operated from each country", xlabel="images"
    )


def fleet_policies(fleet: pd.DataFrame) -> Figure:
    """Images per policy outcome, one bar per policy."""
    import pandas as pd

    columns = [c for c in fleet.columns if str(c).startswith("policy:")]
    counts = pd.DataFrame(
        {c.removeprefix("policy:"): fleet[c].value_counts() for c in columns}
    ).T.fillna(0)
    counts = counts[[o for o in OUTCOME_COLOURS if o in counts.columns]]
    return stacked_bars(
        counts, title="Images per policy outcome", xlabel="images", colours=OUTCOME_COLOURS
    )
