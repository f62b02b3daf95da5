"""What the public reach page shows of monitoring: each section on the reach with its latest class."""

from hezhang.monitoring.overview import class_colour, class_name, latest_by_section
from hezhang.monitoring.quality import status_word


def quality_panel(reach):
    sections = list(reach.sections.order_by("code"))
    if not sections:
        return None
    latest = latest_by_section([s.pk for s in sections])
    rows = []
    for section in sections:
        found = latest.get(section.pk)
        cls = found.water_class if found else None
        rows.append(
            {
                "name": section.name,
                "kind": section.get_kind_display(),
                "class_name": class_name(cls),
                "colour": class_colour(cls),
                "dark_text": cls in (1, 4),
                "status": status_word(cls) if cls else "",
                "when": found.taken_at if found else None,
                "target": class_name(section.target_class) if section.target_class else "",
            }
        )
    return "monitoring/_public_quality.html", {"rows": rows}
