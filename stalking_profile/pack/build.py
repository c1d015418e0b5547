"""Building a meeting pack for an area and period (the Export page and `python -m
stalking_profile pack` both call `build`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import polars as pl

from stalking_profile import queries
from stalking_profile.access import Access
from stalking_profile.db import Gateway
from stalking_profile.exports import Provenance
from stalking_profile.filters import Domestic, ProfileFilter, default_filter, last_month_on_offer
from stalking_profile.pack.content import PackContent, gather
from stalking_profile.pack.decks import map_picture, pdf_bytes, pptx_bytes


@dataclass(frozen=True)
class Pack:
    pptx: bytes
    pdf: bytes
    title: str
    seconds: float
    publication: bool


def pack_area(selected: Sequence[str], districts: Sequence[str]) -> str:
    """The area a pack is built for unless another is chosen: the sidebar's district where it
    selects one, otherwise the force (a pack covers the force or one district; for
    publication, the force: pack_filter).

    >>> pack_area(("CD",), ["BD", "CD"]), pack_area(("BD", "CD"), ["BD", "CD"])
    ('CD', 'force')
    """
    return selected[0] if len(selected) == 1 and selected[0] in districts else "force"


def pack_filter(
    gateway: Gateway,
    area: str,
    start: date | None = None,
    end: date | None = None,
    domestic: Domestic = "all",
    publication: bool = False,
) -> tuple[ProfileFilter, str]:
    """The filter a pack shows (an area: "force" or a district code; the latest 12 complete
    months unless a period is given, which must lie within the months the sidebar offers) and
    the area's name. A pack for publication is the force's (publication.unpublishable): a
    district's, beside the force's for the same period, would give withheld counts back."""
    info = queries.dataset_info(gateway)
    districts = queries.districts(gateway)
    codes = tuple(districts["district_code"].to_list())
    if publication and area.lower() != "force":
        raise ValueError(
            f"a pack for publication covers the whole force, not one district ({area}): "
            "each district's rows are on the dashboard's pages (the Trends page's district "
            "table, downloadable), and a district's pack beside the "
            "force's for the same period would give withheld counts back by subtraction"
        )
    if area.lower() == "force":
        chosen, name = codes, info.force_name
    else:
        match = districts.filter(district_code=area.upper())
        if match.is_empty():
            raise ValueError(f"no district {area!r}: choose force or one of {', '.join(codes)}")
        chosen, name = (area.upper(),), str(match["district_name"][0])
    flt = default_filter(info.first_month, info.extract_date, chosen)
    if start or end:
        first, last = info.first_month, last_month_on_offer(info.first_month, info.extract_date)
        start, end = start or flt.start_month, end or flt.end_month
        if not first <= start <= last or not first <= end <= last:
            raise ValueError(
                f"the data run from {first:%B %Y} to {last:%B %Y}: choose a period within them"
            )
        flt = flt.with_period(start, end)
    from dataclasses import replace

    return replace(flt, domestic=domestic), name


def pack_content(
    gateway: Gateway,
    flt: ProfileFilter,
    area: str,
    access: Access,
    tracker: pl.DataFrame | None = None,
) -> PackContent:
    """What the pack for the filter holds, as the access may have it, with its provenance."""
    info = queries.dataset_info(gateway)
    provenance = Provenance(
        title=f"Meeting pack: {area}",
        filter_text=flt.describe(),
        force_name=info.force_name,
        extract_date=info.extract_date,
        source=info.source,
        synthetic=info.is_synthetic,
        suppressed_below=access.disclosure_rule[0],
        exported_by=access.username,
        exported_at=datetime.now(UTC),
        rounded_to=access.disclosure_rule[1],
        coverage=info.coverage_warning() or "",
    )
    return gather(gateway.scoped(access), flt, area, provenance, tracker)


def build(
    gateway: Gateway,
    flt: ProfileFilter,
    area: str,
    access: Access,
    tracker: pl.DataFrame | None = None,
) -> Pack:
    """The pack for the filter, as the access may have it (publication mode suppresses every
    figure, chart and sentence in it)."""
    started = time.perf_counter()
    content = pack_content(gateway, flt, area, access, tracker)
    map_png = map_picture(content)
    return Pack(
        pptx_bytes(content, map_png),
        pdf_bytes(content, map_png),
        content.title,
        time.perf_counter() - started,
        access.publication,
    )
