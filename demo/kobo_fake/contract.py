"""The KPI contract the fake holds a client to.

The KPI contract: every (method, path template, parameter) the client may send, with the KPI source
each rule is verified against, and the check that a recorded session kept to it.  Citations are
`kobotoolbox/kpi <path>:<line>` at 2e5efb0172 (2026-08-21). A path template's `{id}` is recorded as
`{_id}` when KPI reads it as an integer (DRF `_positive_int`) and as `{root_uuid}` otherwise;
rootUuid ids exist only on servers with kpi PR #6660 (2.026.07+), so those rules carry
`needs="accepts_root_uuid"`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_A = "/api/v2/assets/{uid}/"
_PAGE = frozenset({"limit", "start"})
_BULK_BODY = frozenset(
    {
        "payload",
        "payload.submission_ids",
        "payload.query",
        "payload.confirm",
        "payload.validation_status.uid",
    }
)


@dataclass(frozen=True)
class Call:
    """One request the fake received: what the contract check compares."""

    method: str
    template: str
    params: frozenset[str] = frozenset()
    body_keys: frozenset[str] = frozenset()

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "template": self.template,
            "params": sorted(self.params),
            "body_keys": sorted(self.body_keys),
        }


@dataclass(frozen=True)
class Rule:
    method: str
    template: str
    params: frozenset[str]
    cite: str
    body: frozenset[str] = field(default_factory=frozenset)
    needs: str | None = None  # a FakeKoboStore feature flag this rule requires


def _rules(methods: str, template: str, params: Iterable[str], cite: str, **kw: Any) -> list[Rule]:
    return [Rule(m, template, frozenset(params), cite, **kw) for m in methods.split()]


def _by_id(methods: str, suffix: str, cite: str, **kw: Any) -> list[Rule]:
    """The same rule for `{_id}` and, on PR #6660 servers only, `{root_uuid}`."""
    return [
        *_rules(methods, f"{_A}data/{{_id}}/{suffix}", (), cite, **kw),
        *_rules(
            methods,
            f"{_A}data/{{root_uuid}}/{suffix}",
            (),
            cite + "; rootUuid since kpi PR #6660 (8b382e2306, 2.026.07)",
            needs="accepts_root_uuid",
            **kw,
        ),
    ]


CONTRACT: list[Rule] = [
    *_rules("GET", "/me/", (), "kpi/urls/__init__.py:25-29"),
    *_rules(
        "GET",
        "/api/v2/assets/",
        {"q", *_PAGE},
        "kpi/views/v2/asset.py:921-944 (AssetPagination, kpi/paginators.py:66-91); "
        "q: kpi/filters.py:438-497",
    ),
    *_rules("GET", "/api/v2/assets/hash/", (), "kpi/views/v2/asset.py:971-1004"),
    # limit/start page the nested deployed_versions (kpi/fields/paginated_api.py:43-46).
    *_rules("GET", _A, _PAGE, "kpi/serializers/v2/asset.py:451-461, 750-754"),
    *_rules("GET", f"{_A}deployment/", (), "kpi/views/v2/asset.py:539-569"),
    *_rules(
        "GET",
        f"{_A}versions/",
        {"deployed", *_PAGE},
        "kpi/views/v2/asset_version.py:90-105; kpi/paginators.py:66-91",
    ),
    *_rules("GET", f"{_A}versions/{{vid}}/", (), "kpi/views/v2/asset_version.py:84-105"),
    *_rules(
        "GET",
        f"{_A}data/",
        {"format", "query", "fields", "sort", *_PAGE},
        "kpi/views/v2/data.py:458-498, 845-877; kpi/deployment_backends/base_backend.py:582-715",
    ),
    *_by_id("GET DELETE", "", "kpi/views/v2/data.py:306-325, 500-512, 1061-1159"),
    *_by_id("GET DELETE", "validation_status/", "kpi/views/v2/data.py:690-717"),
    *_by_id(
        "PATCH",
        "validation_status/",
        "kpi/views/v2/data.py:690-717; kpi/deployment_backends/openrosa_backend.py:1111-1171",
        body=frozenset({"validation_status.uid"}),
    ),
    *_rules(
        "PATCH DELETE",
        f"{_A}data/validation_statuses/",
        (),
        "kpi/views/v2/data.py:738-761; kpi/serializers/v2/data.py:13-92; "
        "kobo/apps/openrosa/apps/logger/utils/instance.py:278-320",
        body=_BULK_BODY,
    ),
    *_by_id("GET", "enketo/edit/", "kpi/views/v2/data.py:387-409, 890-1059"),
    *_by_id("GET", "enketo/view/", "kpi/views/v2/data.py:428-443, 890-1059"),
    *_by_id("GET", "enketo/redirect/edit/", "kpi/urls/router_api_v2.py:264-268"),
    *_by_id("GET", "enketo/redirect/view/", "kpi/urls/router_api_v2.py:269-273"),
    *_by_id("GET", "edit/", "kpi/urls/router_api_v2.py:257-263 (deprecated alias)"),
]


def violations(calls: Iterable[Call], features: dict[str, bool] | None = None) -> list[str]:
    """What in `calls` the contract does not list, one line each (empty: all covered)."""
    features = features or {}
    table = {(r.method, r.template): r for r in CONTRACT}
    found: list[str] = []
    for call in sorted(set(calls), key=lambda c: (c.template, c.method, sorted(c.params))):
        rule = table.get((call.method, call.template))
        where = f"{call.method} {call.template}"
        if rule is None:
            found.append(f"{where}: endpoint not in the contract")
            continue
        if rule.needs and not features.get(rule.needs, False):
            found.append(f"{where}: needs a server with {rule.needs} ({rule.cite})")
        if extra := sorted(call.params - rule.params):
            found.append(f"{where}: query parameters not in the contract: {extra}")
        if extra := sorted(call.body_keys - rule.body):
            found.append(f"{where}: body keys not in the contract: {extra}")
    return found
