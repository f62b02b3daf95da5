#!/usr/bin/env python
from hezhang.cli import main

if __name__ == "__main__":
    main()
