"""imagerepo settings: everything is read from the environment.

``base`` is the one settings module for every install (the defaults give a
working laptop setup: SQLite file and ``media/`` on disk; production is switched
on by environment variables only). ``test`` adjusts it for the test suite.
"""
