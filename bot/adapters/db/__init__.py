"""The database: SQLAlchemy models, the engine factory, migrations, the repositories and the
unit of work."""
