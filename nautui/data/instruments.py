"""Instrument specs stored beside the data: ``<catalog>/instruments.json``.

Each entry holds the keyword arguments of :class:`nautui.Instrument` as strings (decimals stay
text, so nothing goes through a float)."""

from __future__ import annotations

import msgspec

from nautui import Instrument

__all__ = ["InstrumentSpec", "instrument_from_spec"]


class InstrumentSpec(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One instrument, field for field as :class:`nautui.Instrument` takes them."""

    id: str
    tick_size: str
    lot_size: str
    quote_currency: str
    base_currency: str | None = None
    min_quantity: str | None = None
    max_quantity: str | None = None
    min_notional: str | None = None
    maker_fee: str = "0"
    taker_fee: str = "0"
    margin_init: str = "1"
    margin_maint: str = "1"
    multiplier: str = "1"


def instrument_from_spec(spec: InstrumentSpec) -> Instrument:
    """The engine instrument for ``spec`` (the engine validates every field)."""
    return Instrument(
        id=spec.id,
        tick_size=spec.tick_size,
        lot_size=spec.lot_size,
        quote_currency=spec.quote_currency,
        base_currency=spec.base_currency,
        min_quantity=spec.min_quantity,
        max_quantity=spec.max_quantity,
        min_notional=spec.min_notional,
        maker_fee=spec.maker_fee,
        taker_fee=spec.taker_fee,
        margin_init=spec.margin_init,
        margin_maint=spec.margin_maint,
        multiplier=spec.multiplier,
    )
