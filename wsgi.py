"""gunicorn serves ``wsgi:app``."""

from ledger.app import create_app

app = create_app()
