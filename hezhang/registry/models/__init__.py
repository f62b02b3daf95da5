from hezhang.registry.models.facilities import (
    Asset,
    AssetKind,
    Outfall,
    OutfallKind,
    Section,
    SectionKind,
    Signboard,
)
from hezhang.registry.models.organisation import (
    ChiefAssignment,
    DelegateLink,
    Department,
    DepartmentKind,
    Office,
)
from hezhang.registry.models.plans import Dossier, DossierAttachment, PlanTask, RiverPlan, TaskStatus
from hezhang.registry.models.regions import Grid, Level, Region
from hezhang.registry.models.water import Reach, WaterBody, WaterBodyKind

__all__ = [
    "Asset",
    "AssetKind",
    "ChiefAssignment",
    "DelegateLink",
    "Department",
    "DepartmentKind",
    "Dossier",
    "DossierAttachment",
    "Grid",
    "Level",
    "Office",
    "Outfall",
    "OutfallKind",
    "PlanTask",
    "Region",
    "Reach",
    "RiverPlan",
    "Section",
    "SectionKind",
    "Signboard",
    "TaskStatus",
    "WaterBody",
    "WaterBodyKind",
]
