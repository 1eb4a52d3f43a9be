"""Ids never reused on SQLite, even after a migration rebuilt a table.

SQLite's AUTOINCREMENT keeps the highest id ever given in sqlite_sequence, but a migration
that rebuilds a table (SQLite alters most columns that way) copies the rows into a new
table whose sequence starts again from the highest id still present: the ids of the
newest deleted rows would be handed out again. The sequences are noted before migrating
and put back, where they went down, afterwards."""

from django.db import connections

noted: dict[str, dict[str, int]] = {}


def sequences(connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone() is None:
            return {}
        cursor.execute("SELECT name, seq FROM sqlite_sequence")
        return dict(cursor.fetchall())


def note_sequences(sender, using: str, **kwargs) -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        noted[using] = sequences(connection)


def restore_sequences(sender, using: str, **kwargs) -> None:
    connection = connections[using]
    before = noted.pop(using, {})
    if connection.vendor != "sqlite" or not before:
        return
    now = sequences(connection)
    with connection.cursor() as cursor:
        for table, seq in before.items():
            if table in now and now[table] < seq:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [seq, table])
