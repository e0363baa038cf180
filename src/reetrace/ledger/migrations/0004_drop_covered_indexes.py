"""Drop single-column indexes that a composite index already leads with.

Every index costs each ledger insert; these six answered nothing the (reporter,
period), (lot, element), (lot, holder), (holder, period), (child, parent) and
(parent, child) indexes do not. Only the indexes go: the foreign keys stay as they
are (Django's own AlterField would drop and re-validate each constraint, a full
scan of the biggest tables).
"""

import django.db.models.deletion
from django.db import migrations, models


COVERED_INDEXES = [
    (
        "ledger_event_reporter_id_0d728e2f",
        'CREATE INDEX IF NOT EXISTS "ledger_event_reporter_id_0d728e2f" ON "ledger_event" ("reporter_id")',
    ),
    (
        "ledger_lotelement_lot_id_8afa5c22",
        'CREATE INDEX IF NOT EXISTS "ledger_lotelement_lot_id_8afa5c22" ON "ledger_lotelement" ("lot_id")',
    ),
    (
        "ledger_lotlink_child_id_40eeae49",
        'CREATE INDEX IF NOT EXISTS "ledger_lotlink_child_id_40eeae49" ON "ledger_lotlink" ("child_id")',
    ),
    (
        "ledger_lotlink_parent_id_7f057a5c",
        'CREATE INDEX IF NOT EXISTS "ledger_lotlink_parent_id_7f057a5c" ON "ledger_lotlink" ("parent_id")',
    ),
    (
        "ledger_posting_holder_id_ed067db3",
        'CREATE INDEX IF NOT EXISTS "ledger_posting_holder_id_ed067db3" ON "ledger_posting" ("holder_id")',
    ),
    (
        "ledger_posting_lot_id_2d58a6f4",
        'CREATE INDEX IF NOT EXISTS "ledger_posting_lot_id_2d58a6f4" ON "ledger_posting" ("lot_id")',
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_monthly_flow"),
        ("registry", "0002_standard_products"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="reporter",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="registry.enterprise",
                    ),
                ),
                migrations.AlterField(
                    model_name="lotelement",
                    name="lot",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="elements",
                        to="ledger.lot",
                    ),
                ),
                migrations.AlterField(
                    model_name="lotlink",
                    name="child",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="parent_links",
                        to="ledger.lot",
                    ),
                ),
                migrations.AlterField(
                    model_name="lotlink",
                    name="parent",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="child_links",
                        to="ledger.lot",
                    ),
                ),
                migrations.AlterField(
                    model_name="posting",
                    name="holder",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="postings",
                        to="registry.enterprise",
                    ),
                ),
                migrations.AlterField(
                    model_name="posting",
                    name="lot",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="postings",
                        to="ledger.lot",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{name}"', reverse_sql=create)
                for name, create in COVERED_INDEXES
            ],
        ),
    ]
