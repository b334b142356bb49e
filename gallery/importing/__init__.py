"""Importing folders of images from the server's disk (``import_images``).

``pipeline`` runs the import (walk, worker pool, batched rows), ``tasks`` is
what the workers do, ``journal`` makes a killed run recoverable, ``manifest``
reads per-file metadata, ``albums`` puts the images in albums, ``progress``
shows it all on a terminal or in a log.
"""
