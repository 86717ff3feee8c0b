"""A relation's endpoints belong to the relation's own assignment, enforced by PostgreSQL.

Composite foreign keys (span id, assignment id) make a cross-layer relation impossible even
for code that bypasses the services. SQLite, the embedded default, relies on the services.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CONSTRAINTS = (
    ("relation_from_same_assignment", "from_span_id"),
    ("relation_to_same_assignment", "to_span_id"),
)


def add_constraints(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in CONSTRAINTS:
        schema_editor.execute(
            f"ALTER TABLE annotations_relation ADD CONSTRAINT {name} "
            f"FOREIGN KEY ({column}, assignment_id) "
            "REFERENCES annotations_span (id, assignment_id) "
            "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED"
        )


def drop_constraints(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE annotations_relation DROP CONSTRAINT {name}")


class Migration(migrations.Migration):
    dependencies = [("annotations", "0001_initial")]

    operations = [migrations.RunPython(add_constraints, drop_constraints)]
