"""Location tree: regions (oblasts), cities of republican significance, districts (rayons)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def normalize_name(value: str) -> str:
    """Fold a place name for alias matching: case, dashes, spaces and Cyrillic ё."""
    return " ".join(value.casefold().replace("ё", "е").replace("-", " ").replace("–", " ").split())


class LocationQuerySet(models.QuerySet["Location"]):
    def active(self) -> "LocationQuerySet":
        return self.filter(is_active=True)

    def districts(self) -> "LocationQuerySet":
        return self.filter(kind=Location.Kind.DISTRICT)


class Location(models.Model):
    class Kind(models.TextChoices):
        REGION = "region", "Region (oblast)"
        CITY = "city", "City of republican significance"
        DISTRICT = "district", "District (rayon)"

    code = models.CharField(max_length=32, help_text="Stable code, e.g. KZ-ALA-BOS")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_en = models.CharField("name (English)", max_length=120)
    name_ru = models.CharField("name (Russian)", max_length=120, blank=True)
    name_kk = models.CharField("name (Kazakh)", max_length=120, blank=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other spellings, e.g. Nur-Sultan for Astana"
    )
    boundary = models.JSONField(
        null=True, blank=True, help_text="GeoJSON Polygon or MultiPolygon (lon, lat)"
    )
    centroid_lat = models.FloatField(null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ("code",)
        constraints = [
            models.UniqueConstraint(fields=("code",), name="location_unique_code"),
            models.CheckConstraint(
                condition=Q(kind="district", parent__isnull=False)
                | Q(kind__in=("region", "city"), parent__isnull=True),
                name="location_district_has_parent",
                violation_error_message="A district needs a parent; regions and cities have none.",
            ),
            models.CheckConstraint(
                condition=Q(centroid_lat__isnull=True, centroid_lon__isnull=True)
                | Q(
                    centroid_lat__isnull=False,
                    centroid_lon__isnull=False,
                    centroid_lat__gte=-90,
                    centroid_lat__lte=90,
                    centroid_lon__gte=-180,
                    centroid_lon__lte=180,
                ),
                name="location_centroid_in_range",
                violation_error_message="The centroid needs both latitude and longitude in range.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.code})"

    @property
    def names(self) -> list[str]:
        """Every name this location is known by, aliases included."""
        return [n for n in (self.name_en, self.name_ru, self.name_kk, *self.aliases) if n]

    def clean(self) -> None:
        if self.boundary is not None:
            validate_boundary(self.boundary)
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) for a in self.aliases):
            raise ValidationError({"aliases": "Aliases must be a list of names."})


def validate_boundary(geojson: Any) -> None:
    """Refuse anything that is not a valid GeoJSON (Multi)Polygon."""
    from shapely.errors import GEOSException
    from shapely.geometry import shape

    if not isinstance(geojson, dict) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(
            {"boundary": "The boundary must be a GeoJSON Polygon or MultiPolygon."}
        )
    try:
        geometry = shape(geojson)
    except (GEOSException, ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValidationError({"boundary": f"The boundary is not valid GeoJSON: {exc}"}) from None
    if geometry.is_empty or not geometry.is_valid:
        raise ValidationError({"boundary": "The boundary polygon is empty or self-intersecting."})
