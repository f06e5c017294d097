"""The table of the database cache (pakta/cache.py), which every worker process shares.

Made by migrate, so a fresh clone, a deployment and the test database all have it without a
separate `createcachetable` step; made whatever CACHE_URL says today, so switching from Redis
to the database later needs nothing either.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "pakta_cache"  # pakta/env.py: CACHE_TABLE (the LOCATION of the database cache)


def create_cache_table(apps, schema_editor):
    # Django's own command, so the columns are exactly what DatabaseCache expects; it does
    # nothing when the table exists.
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("signings", "0013_bounded_times_and_untrusted_clock_text")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table, elidable=False)]
