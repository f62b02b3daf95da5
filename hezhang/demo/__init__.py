"""The demo: one command that joins the registry's demo county and the cases filled on top of it.

It is an app of its own because data flows one way: the registry knows nothing of cases, so the registry's
builder (``hezhang.registry.demo``) cannot be what fills them, and the cases must not own the county either.
"""
