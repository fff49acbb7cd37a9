"""PostgreSQL: the administration change log refuses UPDATE and DELETE (no retention path deletes it).

As for the access log (0003): TRUNCATE is not covered (the test runner needs it to flush the database), and the
foreign keys have no database constraint, so deleting a user or an organisation never updates a row.
SQLite has no such trigger: the ORM guards in `AdminChange` apply everywhere.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_adminchange_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_adminchange is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_adminchange_append_only ON audit_adminchange;
CREATE TRIGGER audit_adminchange_append_only
    BEFORE UPDATE OR DELETE ON audit_adminchange
    FOR EACH ROW EXECUTE FUNCTION audit_adminchange_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_adminchange_append_only ON audit_adminchange;
DROP FUNCTION IF EXISTS audit_adminchange_append_only();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_admin_change")]

    operations = [migrations.RunPython(forwards, backwards)]
