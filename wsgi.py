"""gunicorn serves ``wsgi:app``; each worker also runs the anchoring scheduler."""

from ledger.anchoring import scheduler
from ledger.app import create_app

app = create_app()
scheduler.start(app.extensions["ledger"])
