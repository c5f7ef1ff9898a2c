"""Money helpers: amounts are Decimal with two places, rates are fractions."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_money(value) -> Decimal:
    """Quantize to cents; raises InvalidOperation/ValueError for non-numeric input."""
    if isinstance(value, float):
        value = repr(value)
    amount = Decimal(str(value))
    if not amount.is_finite():
        raise InvalidOperation("not a finite number")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a fraction rounded to 4 places, or None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
