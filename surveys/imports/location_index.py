"""The gazetteer of one import, in memory: codes, names and parents read once, kept up to date.

``surveys.gazetteer.resolve_location`` reads every location for each name it resolves; for a
file of 20,000 rows that is 20,000 full scans (quadratic). An import loads the index once (one
query), resolves by dictionary look-up with the same rules, and adds each row it saves, so a
later row can name a location created earlier in the same file.
"""

from dataclasses import dataclass, field

from surveys.gazetteer import UnknownLocationError
from surveys.models import Location
from surveys.models.locations import normalize_name


@dataclass
class LocationIndex:
    codes: dict[str, int] = field(default_factory=dict)  # casefolded code -> pk
    code_of: dict[int, str] = field(default_factory=dict)
    names_of: dict[int, set[str]] = field(default_factory=dict)  # pk -> normalised names
    by_name: dict[str, set[int]] = field(default_factory=dict)  # normalised name -> pks
    parent_of: dict[int, int | None] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "LocationIndex":
        index = cls()
        rows = Location.objects.values_list(
            "pk", "code", "name_en", "name_ru", "name_kk", "aliases", "parent_id"
        )
        for pk, code, name_en, name_ru, name_kk, aliases, parent_id in rows.iterator(2000):
            names = [name_en, name_ru, name_kk, *(aliases if isinstance(aliases, list) else [])]
            index._put(pk, code, names, parent_id)
        return index

    def add(self, location: Location) -> None:
        """Record a location just saved (new or changed) by the import."""
        self._put(location.pk, location.code, location.names, location.parent_id)

    def _put(self, pk: int, code: str, names: list[str], parent_id: int | None) -> None:
        old_code = self.code_of.get(pk)
        if old_code is not None:
            self.codes.pop(old_code.casefold(), None)
        for name in self.names_of.pop(pk, set()):
            self.by_name.get(name, set()).discard(pk)
        self.codes[code.casefold()] = pk
        self.code_of[pk] = code
        folded = {normalize_name(n) for n in names if isinstance(n, str) and n}
        self.names_of[pk] = folded
        for name in folded:
            self.by_name.setdefault(name, set()).add(pk)
        self.parent_of[pk] = parent_id

    def pk_for_code(self, code: str) -> int | None:
        return self.codes.get(code.strip().casefold())

    def resolve(self, value: str) -> int:
        """The pk of the one location with this code or name: ``resolve_location``'s rules."""
        text = str(value).strip()
        if not text:
            raise UnknownLocationError("No location given.")
        by_code = self.codes.get(text.casefold())
        if by_code is not None:
            return by_code
        matches = self.by_name.get(normalize_name(text), set())
        if not matches:
            raise UnknownLocationError(
                f"Unknown location {text!r}: no location has this code or name."
            )
        if len(matches) > 1:
            codes = ", ".join(sorted(self.code_of[pk] for pk in matches))
            raise UnknownLocationError(
                f"Location {text!r} is ambiguous: it names {codes}. Write the code instead."
            )
        return next(iter(matches))

    def stub(self, pk: int) -> Location:
        """A Location carrying only pk and code: enough for a foreign key and for rendering."""
        stub = Location(pk=pk, code=self.code_of[pk])
        stub._state.adding = False
        return stub

    def cycle_through(self, pk: int | None, parent_pk: int | None) -> list[str] | None:
        """The codes of the loop ``pk``'s new parent would close, or None when there is none."""
        if pk is None or parent_pk is None:
            return None  # a location not saved yet has no children to loop back through
        path = [pk]
        current: int | None = parent_pk
        seen: set[int] = set()
        while current is not None and current not in seen:
            path.append(current)
            if current == pk:
                return [self.code_of[p] for p in path]
            seen.add(current)
            current = self.parent_of.get(current)
        return None


def parent_loop(pk: int | None, parent_pk: int | None) -> list[str] | None:
    """The codes of the loop a new parent would close, read from the database (forms)."""
    if pk is None or parent_pk is None:
        return None
    path = [pk]
    codes = dict(Location.objects.filter(pk=pk).values_list("pk", "code"))
    current: int | None = parent_pk
    while current is not None and current not in path[1:]:
        path.append(current)
        if current == pk:
            return [codes.get(p, "?") for p in path]
        row = Location.objects.filter(pk=current).values_list("code", "parent_id").first()
        if row is None:
            return None
        codes[current], current = row
    return None
