"""Pure-Python geometry for the platform: coordinate systems, validation, measures, spatial lookups."""
