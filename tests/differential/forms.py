"""A form under test: its XForm (pyxform, as KoBo deploys it) and its pyxform survey tree."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pyxform.xls2json import parse_file_to_json
from pyxform.xls2xform import convert

ROOT = Path(__file__).resolve().parents[2]
DEMO_FORM = ROOT / "demo" / "data" / "mtm_survey_r3.xlsx"
FIXTURE_FORMS = ROOT / "tests" / "data" / "forms"
REACH_FORM = FIXTURE_FORMS / "reach_water_household_survey.xlsx"
UNHCR_FORM = FIXTURE_FORMS / "unhcr_household_survey_americas.xlsx"
XF = "{http://www.w3.org/2002/xforms}"


@dataclass
class FormUnderTest:
    path: Path
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def xform(self) -> str:
        return str(convert(str(self.path), warnings=self.warnings).xform)

    @cached_property
    def tree(self) -> dict[str, Any]:
        """pyxform's JSON survey: children with type, name, bind, control, list_name."""
        return dict(parse_file_to_json(str(self.path), warnings=self.warnings))

    @cached_property
    def instance_template(self) -> ET.Element:
        """The primary instance's root element (repeats appear once, as jr:template)."""
        # pyxform output of a form file the caller chose, not data from the network.
        model = ET.fromstring(self.xform).find(f".//{XF}model")  # noqa: S314
        assert model is not None
        instance = model.find(f"{XF}instance")
        assert instance is not None
        return instance[0]

    @cached_property
    def repeat_paths(self) -> set[str]:
        """KoBo keys of the repeats (group path + repeat name, no root)."""
        out: set[str] = set()

        def walk(node: dict[str, Any], prefix: str) -> None:
            for child in node.get("children", []):
                key = f"{prefix}{child['name']}"
                if child.get("type") == "repeat":
                    out.add(key)
                if child.get("type") in ("group", "repeat"):
                    walk(child, f"{key}/")

        walk(self.tree, "")
        return out
