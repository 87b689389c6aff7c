"""Registry's rules as plain Python (no Flask, SQLAlchemy or kombu)."""
