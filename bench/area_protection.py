"""Publication mode: what protecting the force and its districts as one system would cost.

    uv run python bench/area_protection.py --db data/profile.duckdb --out bench/area_protection_results.json

Publication mode shows the whole force only (`publication.unpublishable`): a district's own
pages, protected apart from the force's, gave withheld counts back beside them. This times the
alternative for the six pages published together (Overview, Trends, Outcomes, Risk and flags,
Data quality, Repeats), whole force and latest twelve months, counts under 5 withheld:

- each area alone: the force's and each district's pages for the three DA choices, protected
  as one (`linked_protection.protect_choices`, what publication mode does for one area);
- all areas as one system: those counts under each area's name, a count naming an area (a
  district's row) the same count on every area's pages, and the force's count of every
  month, period, flag, outcome and quality check the sum of its districts';
- one area after another (`--chain N`, the first N areas): each protected beside the areas
  before it, whose shown counts are known and whose hidden ones stay hidden, with the later
  districts' counts unknowns in the force's sums.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BELOW = 5
FORCE = "Force"
IN = "in"  # a district's count in the joint system: (IN, district, its name on its pages)
# counts of offences (each in one district), which the districts' counts add up to
ADDITIVE = {
    "period",
    "previous",
    "flag",
    "month",
    "rolling",
    "outcome",
    "outcome closed",
    "quality",
    "quality total",
    "stalking period",
    "dash risk",
    "dash forms",
    "no victim recorded",
    "offences_with_victim",
    "offences_with_suspect",
    "month with suspect",
    "flag month",
    "outcome_within",
    "outcome_within_month",
}


def main() -> None:
    from stalking_profile import linked_protection, panels
    from stalking_profile.access import Access
    from stalking_profile.db import connect
    from stalking_profile.linked_tables import Published, published_counts
    from stalking_profile.pack.build import pack_filter

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the DuckDB store")
    parser.add_argument("--chain", type=int, default=0, help="areas to protect one after another")
    parser.add_argument("--out", type=Path, help="write the timings here (JSON)")
    args = parser.parse_args()
    gateway = connect(args.db, read_only=True)
    flt, _ = pack_filter(gateway, "force")
    reader = gateway.scoped(Access.command_line().for_publication().with_threshold(BELOW, 0))
    areas = {FORCE: flt.districts, **{d: (d,) for d in flt.districts}}
    names = {FORCE, "Selected districts", *flt.districts}

    started = time.perf_counter()
    merged: dict[str, Published] = {}
    for area, districts in areas.items():
        choices = panels._every_choice(replace(flt, districts=districts))
        merged[area] = linked_protection._merged_choices(
            {c: published_counts(panels._shared_tables(reader, f), c) for c, f in choices.items()}
        )
    record: dict = {"tables_s": round(time.perf_counter() - started, 2), "alone_s": {}}
    print(f"tables for {len(areas)} areas x 3 DA choices: {record['tables_s']} s", flush=True)

    for area, published in merged.items():
        started = time.perf_counter()
        hidden = _protect(published.system())
        record["alone_s"][area] = round(time.perf_counter() - started, 2)
        print(f"{area} alone: {record['alone_s'][area]} s, {len(hidden)} hidden", flush=True)

    def base(key):  # a count's name on its pages, DA choice aside
        while isinstance(key, tuple) and key and key[0] == linked_protection.CHOSEN:
            key = key[2]
        return key

    def names_area(key) -> bool:
        named = base(key)
        return isinstance(named, tuple) and any(p in names for p in named if isinstance(p, str))

    def family(key):
        named = base(key)
        return named[0] if isinstance(named, tuple) and named else None

    def under(area: str, key):
        return key if area == FORCE else (IN, area, key)

    joint = Published()
    for area, published in merged.items():
        joint.take_in(published, lambda key, area=area: under(area, key))
    force = merged[FORCE]
    for key in force.values:
        additive = family(key) in ADDITIVE and not names_area(key)
        if additive and all(key in merged[d].values for d in flt.districts):
            joint.add([under(d, key) for d in flt.districts], key)
    for district in flt.districts:
        for key in merged[district].values:
            if names_area(key) and key in force.values:
                joint.same(under(district, key), key)
    system = joint.system()
    record["joint_counts"], record["joint_sums"] = len(system.values), len(system.sums)
    started = time.perf_counter()
    hidden = _protect(system)
    record["joint_s"] = round(time.perf_counter() - started, 2)
    record["joint_hidden"] = len(hidden)
    print(
        f"all {len(areas)} areas as one: {len(system.values)} counts, {len(system.sums)} sums, "
        f"{record['joint_s']} s, {len(hidden)} hidden",
        flush=True,
    )

    record["chain_s"] = {}
    order = list(areas)[: args.chain]
    differences = dict(system.differences)
    hidden_before: set = set()
    secondary_before: set = set()
    shown_before: set = set()

    def area_of(key) -> str:
        return key[1] if isinstance(key, tuple) and len(key) == 3 and key[0] == IN else FORCE

    for step, area in enumerate(order):
        started = time.perf_counter()
        done = set(order[: step + 1])
        now = Published()
        now.values = {
            k: None if k in hidden_before else v
            for k, v in joint.values.items()
            if area_of(k) in done
        }
        for key, where in joint.places.items():
            if area_of(key) in done:
                now.places[key].extend(where)
        now.sums = list(joint.sums)  # the later districts' counts: unknowns
        now.zero_able = {k for k in joint.zero_able if area_of(k) in done}
        now.parts = {k: v for k, v in joint.parts.items() if area_of(k) in done}
        now.differences = {k: v for k, v in differences.items() if area_of(k) in done}
        stepped = now.system(known=frozenset(shown_before))
        hidden = _protect(stepped, frozenset(secondary_before))
        record["chain_s"][area] = round(time.perf_counter() - started, 2)
        print(f"{area} beside those before: {record['chain_s'][area]} s", flush=True)
        small = {k for k in hidden if (v := stepped.values.get(k)) is not None and 1 <= v < BELOW}
        hidden_before |= hidden
        secondary_before |= hidden - small
        shown_before |= {
            k
            for k, v in stepped.values.items()
            if area_of(k) == area and k not in hidden and v is not None
        }

    record |= {
        "database": str(args.db),
        "period": f"{flt.start_month:%b %Y} to {flt.end_month:%b %Y}",
        "machine": platform.platform(),
        "when": datetime.now().isoformat(timespec="seconds"),
    }
    if args.out:
        args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def _protect(system, unguarded: frozenset = frozenset()) -> set:
    """What publication mode hides in a system (linked_protection.protect_choices' steps)."""
    from stalking_profile import linked_protection
    from stalking_profile.disclosure import protect_system

    withheld = frozenset(k for k, v in system.values.items() if v is None)
    hidden = protect_system(system, BELOW, unguarded=unguarded) - withheld
    return hidden - linked_protection._copies_shown(hidden, system, BELOW)


if __name__ == "__main__":
    main()
