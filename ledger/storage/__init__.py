"""Storage: SQLAlchemy 2 models, engines and the log-head lock (SQLite or PostgreSQL)."""
