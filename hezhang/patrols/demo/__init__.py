"""Demo patrols: a season of patrols in the demo county, tracks walked along the reaches.

`build_patrols()` fills the county that the registry's demo builder made (found through the demo accounts, not by
name) with the last few months of patrols by its current chiefs at every level, its grid members and its delegates
(on the water bodies they are linked to), each at about their rule's frequency: most walk the bank long enough
and answer the checklist, some cut it short, drive past, walk the village road instead, or skip the checklist; a
few chiefs patrol too rarely or have stopped, and two patrols are still under way.

    walks       the fixes of one walk along a reach, with GPS noise, pauses and a fix every 5-10 s (pure)
    schedule    habits, dates and hours, and how each patrol goes (pure)
    patrollers  who patrols which reaches, under which rule (chiefs, grid members, delegates' links)
    texts       the patrol log's Chinese notes
    patrols     `build_patrols`, which seals, scores and bulk-inserts them
"""

from __future__ import annotations

from hezhang.patrols.demo.patrols import MARK, build_patrols

__all__ = ["MARK", "build_patrols"]
