"""Reopen saved work: `load` for one result (a result document or a fwaudit SBOM), and
`load_fleet` for a batch output folder."""

from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .result import AuditResult

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


def load(path: str | os.PathLike[str]) -> AuditResult:
    """Reopen a saved result: a ``result.json`` written by a batch or
    `AuditResult.to_json` (everything), or a fwaudit CycloneDX JSON SBOM (what the SBOM
    carries: components, outbound endpoints, maker, verdicts)."""
    from .results import FORMAT, result_from_json
    from .sbom_read import is_fwaudit_sbom, sbom_to_data

    source = Path(path)
    try:
        document = json.loads(source.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(f"{source}: cannot read a saved result ({exc})") from exc
    if isinstance(document, dict) and document.get("format") == FORMAT:
        return AuditResult(result_from_json(source.read_bytes()))
    if is_fwaudit_sbom(document):
        return AuditResult(sbom_to_data(document, source=source))
    raise InputError(f"{source}: neither a fwaudit result nor a CycloneDX SBOM")


class Fleet:
    """A batch output folder: the fleet and findings tables, plots, and each image's result."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @cached_property
    def fleet(self) -> pd.DataFrame:
        """One row per input file (see `fwaudit batch`)."""
        import pandas as pd

        return pd.read_parquet(self.folder / "fleet.parquet")

    @cached_property
    def findings(self) -> pd.DataFrame:
        """One row per component, endpoint and verdict of every image."""
        import pandas as pd

        return pd.read_parquet(self.folder / "findings.parquet")

    @property
    def failing(self) -> pd.DataFrame:
        """Images that fail at least one policy, worst first."""
        fleet = self.fleet
        return fleet[fleet["fail_verdicts"].fillna(0) > 0].sort_values(
            "fail_verdicts", ascending=False
        )

    def result(self, image: str) -> AuditResult:
        """The full result of one image, by file name, path or sha256 (or its start)."""
        fleet = self.fleet
        rows = fleet[
            (fleet["image"] == image)
            | (fleet["path"] == image)
            | fleet["sha256"].fillna("").str.startswith(image)
        ]
        rows = rows[rows["result"].notna()]
        if rows.empty:
            raise KeyError(f"no saved result for {image!r} in {self.folder}")
        return load(self.folder / rows.iloc[0]["result"])

    def outcomes_at(
        self, *days: str, policies: list[str | os.PathLike[str]] | None = None
    ) -> pd.DataFrame:
        """How each image's policy outcomes change between days (``"2026-01-01"``,
        ``"2026-06-01"``): one row per image and policy, a column per day and ``changed``.
        The saved results are re-judged as the law stood on each day (no image needed);
        `policies` default to the built-ins the batch judged (give user policy files again)."""
        import pandas as pd

        from .jurisdiction import reassess

        fleet = self.fleet
        rows = []
        for _, row in fleet[fleet["result"].notna()].drop_duplicates("sha256").iterrows():
            data = load(self.folder / row["result"]).data
            judged = [reassess(data, as_of=day, policies=policies).assessment for day in days]
            policies = sorted({p for a in judged if a for p, _ in a.policies})
            for policy in policies:
                outcomes = [dict(a.policies).get(policy) if a else None for a in judged]
                rows.append(
                    {
                        "image": row["image"],
                        "sha256": row["sha256"],
                        "policy": policy,
                        **{
                            day: o.value if o else None
                            for day, o in zip(days, outcomes, strict=True)
                        },
                        "changed": len({o for o in outcomes}) > 1,
                    }
                )
        columns = ["image", "sha256", "policy", *days, "changed"]
        return pd.DataFrame(rows, columns=columns)

    def plot_makers(self) -> Figure:
        """Images by attributed maker and country."""
        from .plots import fleet_makers

        return fleet_makers(self.fleet)

    def plot_countries(self) -> Figure:
        """Images calling endpoints operated from each country."""
        from .plots import fleet_countries

        return fleet_countries(self.findings)

    def plot_policies(self) -> Figure:
        """Images per policy outcome."""
        from .plots import fleet_policies

        return fleet_policies(self.fleet)

    def summary(self) -> dict[str, Any]:
        """Counts: images, ok, errors, images failing a policy."""
        fleet = self.fleet
        return {
            "images": len(fleet),
            "ok": int((fleet["status"] == "ok").sum()),
            "errors": int((fleet["status"] == "error").sum()),
            "failing a policy": int((fleet["fail_verdicts"].fillna(0) > 0).sum()),
        }

    def __repr__(self) -> str:
        return f"<Fleet {self.folder}: {self.summary()}>"

    def _repr_html_(self) -> str:
        import html

        items = "".join(f"<li>{k}: {v}</li>" for k, v in self.summary().items())
        return f"<div><strong>Fleet {html.escape(str(self.folder))}</strong><ul>{items}</ul></div>"


def load_fleet(folder: str | os.PathLike[str]) -> Fleet:
    """Reopen a `fwaudit batch` output folder."""
    path = Path(folder)
    if not (path / "fleet.parquet").is_file():
        raise InputError(f"{path}: no fleet.parquet (not a fwaudit batch output folder)")
    return Fleet(path)
