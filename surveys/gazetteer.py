"""Resolve a location written as a code or any known name (English, Russian, Kazakh, alias)."""

from surveys.models import Location
from surveys.models.locations import normalize_name


class UnknownLocationError(ValueError):
    """No location, or more than one, answers to a name."""


def resolve_location(value: str) -> Location:
    """Find the one location with this code or name; codes win, ambiguity is an error.

    Names are ambiguous in Kazakhstan ("Almaty" is a city, a region and a district of Astana),
    so a name that matches several locations must be written as a code.
    """
    text = str(value).strip()
    if not text:
        raise UnknownLocationError("No location given.")
    by_code = Location.objects.filter(code__iexact=text).first()
    if by_code is not None:
        return by_code
    wanted = normalize_name(text)
    matches = [
        loc
        for loc in Location.objects.only(
            "pk", "code", "name_en", "name_ru", "name_kk", "aliases", "kind", "parent_id"
        )
        if any(normalize_name(name) == wanted for name in loc.names)
    ]
    if not matches:
        raise UnknownLocationError(f"Unknown location {text!r}: no location has this code or name.")
    if len(matches) > 1:
        codes = ", ".join(sorted(loc.code for loc in matches))
        raise UnknownLocationError(
            f"Location {text!r} is ambiguous: it names {codes}. Write the code instead."
        )
    return Location.objects.get(pk=matches[0].pk)
