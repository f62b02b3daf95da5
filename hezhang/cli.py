"""The `hezhang` command: Django's management commands under the project's own name.

hezhang demo              migrate, load the demo county, print the accounts, serve on 127.0.0.1:8000
hezhang serve [--prod]    development server, or gunicorn + whitenoise for production
hezhang migrate           create or upgrade the database
hezhang import KIND FILE  import regions, water bodies, reaches, … from xlsx/csv/GeoJSON/zipped Shapefile
hezhang water-quality classify FILE   class each sample of a CSV by GB 3838-2002, one JSON line a row
hezhang hj212 parse       parse HJ 212 frames from standard input, one JSON line a frame
"""

import os
import sys

# Command names that are not Python module names, or that clash with Django's own.
ALIASES = {"import": "import_registry", "water-quality": "water_quality"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hezhang.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["hezhang", *argv])
    args[0] = "hezhang"
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
