"""Small writes of the surveys app: registering KoBo forms."""

from surveys.kobo.client import KoboClient
from surveys.models import KoboForm, KoboServer, Round


def register_form(
    *, server: KoboServer, asset_uid: str, client: KoboClient, round: Round | None = None
) -> KoboForm:
    """Find or create the form for a KoBo asset (raises KoboNotFoundError if KoBo has none)."""
    existing = KoboForm.objects.filter(server=server, asset_uid=asset_uid).first()
    if existing is not None:
        return existing
    asset = client.get_asset(asset_uid)
    return KoboForm.objects.create(
        server=server,
        asset_uid=asset_uid,
        name=asset.name,
        round=round,
        deployed_version_uid=asset.deployed_version_id or "",
    )
