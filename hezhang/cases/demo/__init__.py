"""Demo cases: a season of problems in the demo county, each moved through the real workflow.

`build_cases()` fills the county that the registry's demo builder made (found through the demo accounts, not by
name) with ~240 cases over the last 90 days: reported from every channel at points by the rivers and in the ponds,
routed by `create_case`, then accepted, assigned, handled, verified, closed and rated — or rejected, merged, sent
back, returned, urged, supervised, escalated, shelved as long-term, left overdue, reopened — by the county's own
people through `workflow.perform`, the only way a case moves. Photos are drawn (sky, water, a bank, the problem)
and carry the capture time and place in their EXIF, as a phone writes them.

    specs     what each case is to be, drawn from the season's mix of categories, channels and fates
    places    where: points by the reaches, named as people name them
    people    who reports and who handles
    stories   how each case moves through the workflow, written forward and moved back into the past
    texts     the Chinese descriptions, results, addresses and notes
    pictures  the photos, drawn with Pillow
    clock     the stopped clock each step runs under, so the workflow stamps the past
    cases     `build_cases`, which puts it all through `create_case` and `workflow.perform`
"""

from __future__ import annotations

from hezhang.cases.demo.cases import MARK, build_cases

__all__ = ["MARK", "build_cases"]
