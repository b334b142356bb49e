"""imagerepo settings, one module per way of running the site.

``base``: everything shared; the environment supplies deployment facts only.
``development``: what ``manage.py`` uses by default (DEBUG on, a fixed key).
``production``: what ``wsgi.py``, gunicorn and ``make serve`` use (DEBUG off,
a secret key from the environment or kept in a file, HTTPS from the
environment).
``machine`` and ``secret_key``: what the production settings need to know of
this computer (its names and addresses) and the key file, as functions that
tests can call.
``test``: the test suite (pytest), on whatever database and storage the
environment names, as ``make test-scale`` needs.
"""
