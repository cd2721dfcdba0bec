"""KoBo JSON submission -> XForm instance XML, as Collect would have submitted it.

KoBo keys are group paths without the root (`grp/q`); a repeat is a list of dicts whose
keys are full paths (`rep/q`). Missing keys become empty elements, as in a saved form.
"""

import xml.etree.ElementTree as ET
from typing import Any


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def instance_xml(template: ET.Element, data: dict[str, Any], repeats: set[str]) -> str:
    """Fill a copy of the primary instance template with one submission's answers."""
    root = ET.Element(_local(template.tag))
    _fill(template, root, "", data, repeats)
    return ET.tostring(root, encoding="unicode")


def _fill(
    template: ET.Element, out: ET.Element, prefix: str, data: dict[str, Any], repeats: set[str]
) -> None:
    done: set[str] = set()
    for child in template:
        name = _local(child.tag)
        key = f"{prefix}{name}"
        if key in repeats:
            # pyxform may write a repeat twice (jr:template and a first instance): fill once.
            if key in done:
                continue
            done.add(key)
            items = data.get(key)
            for item in items if isinstance(items, list) else []:
                element = ET.SubElement(out, name)
                _fill(child, element, f"{key}/", item if isinstance(item, dict) else {}, repeats)
            continue
        element = ET.SubElement(out, name)
        if len(child):
            _fill(child, element, f"{key}/", data, repeats)
        else:
            value = data.get(key)
            element.text = "" if value is None else str(value)
