"""gunicorn serves ``wsgi:app``; each worker also runs the background jobs (anchoring,
webhook delivery: ``ledger.workers``)."""

import gc

from ledger.app import create_app

app = create_app()
app.extensions["ledger"].start_workers()
# The objects made at start-up live as long as the worker: keeping them out of the
# collector's full passes saves about a tenth of the CPU of a batch append.
gc.freeze()
