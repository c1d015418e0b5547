"""Rounding as a reader rounds: a half goes away from zero (2 of 16 is 12.5%, shown "13%"),
as Excel's ROUND does and the Government Statistical Service's guidance asks, not to the even
digit, which is Python's and Polars' own rule ("12%"). A chart's hover text (d3-format)
rounds the same way."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

# decimals a value is settled to first, so that a float a hair off a half rounds as the half
# it stands for: 29 of 200 is 14.5%, which 0.145 * 100 computes as 14.499999999999998
SETTLE = 9


def half_up(value: float, decimals: int = 0) -> float:
    """`value` rounded to `decimals` places, a half away from zero.

    >>> half_up(12.5), half_up(6.25, 1), half_up(0.145 * 100), half_up(-2.5), half_up(2.675, 2)
    (13.0, 6.3, 15.0, -3.0, 2.68)
    """
    if not math.isfinite(value):
        return value
    settled = Decimal(repr(round(value, SETTLE)))
    return float(settled.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)) + 0.0


def half_up_expr(column: pl.Expr, decimals: int = 0) -> pl.Expr:
    """The Polars expression of `half_up`, for a table's column."""
    return column.round(SETTLE).round(decimals, mode="half_away_from_zero")


def percent_text(value: float, decimals: int = 1, signed: bool = False) -> str:
    """A share as a percentage, rounded by `half_up`: 0.125 -> '12.5%', 2 of 16 at no
    decimals '13%'; `signed`, a change's ('+86.5%').

    >>> percent_text(2 / 16, 0), percent_text(1 / 16), percent_text(0.865, signed=True)
    ('13%', '6.3%', '+86.5%')
    """
    shown = half_up(value * 100, decimals)
    return f"{shown:{'+' if signed else ''}.{decimals}f}%"
