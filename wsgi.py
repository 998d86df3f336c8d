"""gunicorn serves ``wsgi:app``; each worker also runs the anchoring scheduler and the
webhook delivery worker."""

import gc

from ledger.anchoring import scheduler
from ledger.app import create_app
from ledger.outbound import scheduler as webhooks

app = create_app()
scheduler.start(app.extensions["ledger"])
webhooks.start(app.extensions["ledger"])
# The objects made at start-up live as long as the worker: keeping them out of the
# collector's full passes saves about a tenth of the CPU of a batch append.
gc.freeze()
