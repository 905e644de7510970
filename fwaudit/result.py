"""`AuditResult`: one audit for the analyst. Tables as DataFrames, "why?" on any finding,
plots, the SBOM and the HTML report, and a rich view in Jupyter.

    >>> result = fwaudit.audit("camera.bin", policy="uk-2022-sensitive-sites")
    >>> result                                   # in Jupyter: maker, verdicts, top risks
    >>> result.endpoints.query("outbound")       # a DataFrame, evidence columns included
    >>> result.explain("litedev.hik-connect.com")
    >>> result.to_html("report.html"); result.to_cyclonedx("sbom.cdx.json")

The typed, frozen findings are `result.data` (`fwaudit.model.AuditData`).
"""

from __future__ import annotations

import html
import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import frames
from .explanation import Explanation, explain
from .model import AuditData, Coverage, Outcome, Party

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

TOP_RISKS = 5


class AuditResult:
    """One audited image: DataFrames, explanations, plots and outputs over `data`."""

    def __init__(self, data: AuditData) -> None:
        self.data = data

    # -- facts ------------------------------------------------------------------------
    @property
    def image(self) -> str:
        """The image's file name."""
        return self.data.image.name

    @property
    def sha256(self) -> str:
        """The image's sha256."""
        return self.data.image.sha256

    @property
    def maker(self) -> Party | None:
        """Who made the device, from the image itself (None when not attributed)."""
        assessment = self.data.assessment
        return assessment.attribution.maker if assessment else None

    @property
    def coverage(self) -> Coverage | None:
        """What share of the image was examined, what was not and why; `reasons` say why no
        policy can pass (empty when one can). None for results read from older files."""
        return self.data.coverage

    @property
    def outcomes(self) -> dict[str, str]:
        """Overall outcome per policy: ``{"uk-2022-sensitive-sites": "fail", ...}``."""
        assessment = self.data.assessment
        return {p: o.value for p, o in assessment.policies} if assessment else {}

    # -- tables -----------------------------------------------------------------------
    @cached_property
    def components(self) -> pd.DataFrame:
        """One row per component and version: supplier and country, purl, best evidence."""
        return frames.frame(frames.component_rows, self.data)

    @cached_property
    def endpoints(self) -> pd.DataFrame:
        """One row per host or address: outbound or why not, role, operator and country."""
        return frames.frame(frames.endpoint_rows, self.data)

    @property
    def outbound(self) -> pd.DataFrame:
        """The endpoints the device may contact."""
        endpoints = self.endpoints
        return endpoints[endpoints["outbound"].astype(bool)] if len(endpoints) else endpoints

    @cached_property
    def verdicts(self) -> pd.DataFrame:
        """One row per policy verdict: outcome, rationale, facts used, evidence."""
        return frames.frame(frames.verdict_rows, self.data)

    @cached_property
    def platform(self) -> pd.DataFrame:
        """What the device is built on, apart from its maker: one row per SoC vendor or SDK
        lineage, with country, part and strongest evidence."""
        return frames.frame(frames.platform_rows, self.data)

    @cached_property
    def device_classes(self) -> pd.DataFrame:
        """What kind of device the image is for: one row per class it shows (router, camera,
        drone, ...; best first), with confidence, the cues seen and the strongest evidence."""
        return frames.frame(frames.device_class_rows, self.data)

    @cached_property
    def credentials(self) -> pd.DataFrame:
        """The passwords, hashes and logins the image sets: one row per account entry or
        hard-coded credential, with kind, origin, algorithm, fingerprint (the secret only
        for a well-known default), whether it is in effect, and its evidence."""
        return frames.frame(frames.credential_rows, self.data)

    @cached_property
    def files(self) -> pd.DataFrame:
        """Every regular file of the image: size, sha256, type and ELF facts."""
        return frames.frame(frames.file_rows, self.data)

    @cached_property
    def problems(self) -> pd.DataFrame:
        """What the image did to the audit: limits hit, hostile entries, tool failures."""
        return frames.frame(frames.problem_rows, self.data)

    @cached_property
    def unexplained(self) -> pd.DataFrame:
        """The largest regions no recognised chunk explains: container, offset, size,
        entropy, label ("encrypted or compressed (entropy 7.99)", "gzip not extracted")."""
        return frames.frame(frames.region_rows, self.data)

    # -- why? -------------------------------------------------------------------------
    def explain(self, item: Any) -> Explanation:
        """The evidence chain behind a verdict, component or endpoint: file, offset, the
        bytes there, the rule or parser, and for verdicts the facts with their sources.
        `item` is a verdict id, a component name (``busybox`` or ``busybox@1.01``), a host,
        or a row of one of the tables."""
        return explain(self.data, item)

    # -- plots ------------------------------------------------------------------------
    def plot_endpoints(self) -> Figure:
        """Outbound endpoints by operator country and role."""
        from .plots import endpoints_by_country

        return endpoints_by_country(self.endpoints)

    def plot_components(self) -> Figure:
        """Components by supplier country."""
        from .plots import components_by_supplier_country

        return components_by_supplier_country(self.components)

    def plot_verdicts(self) -> Figure:
        """Verdicts per policy, by outcome."""
        from .plots import verdicts_by_policy

        return verdicts_by_policy(self.verdicts)

    # -- outputs ----------------------------------------------------------------------
    def to_cyclonedx(
        self, path: str | os.PathLike[str] | None = None, *, format: str = "json"
    ) -> str:
        """The CycloneDX 1.6 SBOM (JSON or XML, schema-validated); written to `path` if
        given. Returns the text."""
        from .sbom import serialize

        text = serialize(self.data, format)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_html(self, path: str | os.PathLike[str]) -> Path:
        """The self-contained HTML report for readers who do not read JSON."""
        from .report import write_html

        return write_html(self.data, path)

    def to_json(self, path: str | os.PathLike[str]) -> Path:
        """The full result document, which `fwaudit.load` reopens."""
        from .results import result_to_json

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(result_to_json(self.data), encoding="utf-8")
        return target

    # -- display ----------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """The headline facts as a dict."""
        maker = self.maker
        return {
            "image": self.image,
            "sha256": self.sha256,
            "maker": f"{maker.name} ({maker.country or '?'})" if maker else None,
            "device class": self._device_classes(),
            "components": len(self.data.components),
            "outbound endpoints": len(self.data.outbound),
            "problems": len(self.data.all_problems),
            "coverage": self.coverage.summary() if self.coverage else None,
            "inconclusive because": "; ".join(self.coverage.reasons)
            if self.coverage and self.coverage.reasons
            else None,
            **{f"policy {p}": o for p, o in self.outcomes.items()},
        }

    def _device_classes(self) -> str | None:
        who = self.data.assessment.attribution if self.data.assessment else None
        found = who.device_classes if who else ()
        return ", ".join(f"{c.name} ({c.confidence})" for c in found) or None

    def top_risks(self, limit: int = TOP_RISKS) -> list[str]:
        """The first fail (then review, then inconclusive) verdicts' rationales."""
        verdicts = self.data.assessment.verdicts if self.data.assessment else ()
        order = (Outcome.FAIL, Outcome.REVIEW, Outcome.INCONCLUSIVE)
        ranked = [v for outcome in order for v in verdicts if v.outcome is outcome]
        return [f"{v.outcome.value}: {v.rationale} [{v.id}]" for v in ranked[:limit]]

    def __repr__(self) -> str:
        lines = [f"<AuditResult {self.image}>"]
        lines += [f"  {key}: {value}" for key, value in self.summary().items() if value is not None]
        lines += [f"  {risk}" for risk in self.top_risks()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colours = {
            "fail": "#c62828",
            "review": "#b26a00",
            "inconclusive": "#757575",
            "pass": "#2e7d32",
        }
        badges = " ".join(
            f'<span style="background:{colours[o]};color:#fff;border-radius:9px;'
            f'padding:1px 8px;font-size:12px">{html.escape(p)}: {o}</span>'
            for p, o in self.outcomes.items()
        )
        maker = self.maker
        who = f"{html.escape(maker.name)} ({maker.country or '?'})" if maker else "not attributed"
        data = self.data
        risks = "".join(f"<li>{html.escape(r)}</li>" for r in self.top_risks())
        coverage = ""
        if self.coverage:
            coverage = f"coverage: {html.escape(self.coverage.summary())}"
            if self.coverage.reasons:
                why = html.escape("; ".join(self.coverage.reasons))
                coverage += f" &middot; <strong>inconclusive</strong>: {why}"
            coverage += "<br>"
        return (
            f"<div><strong>{html.escape(self.image)}</strong> "
            f'<code style="font-size:11px">{self.sha256[:16]}…</code><br>'
            f"maker: {who} &middot; {len(data.components)} components &middot; "
            f"{len(data.outbound)} outbound endpoints &middot; "
            f"{len(data.all_problems)} problems<br>{coverage}{badges}"
            + (f"<br>top risks:<ol>{risks}</ol>" if risks else "<br>no fail or review verdict")
            + "</div>"
        )
