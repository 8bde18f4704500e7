/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-sqlite-private.h"

/* One step per schema version: step N turns a version N-1 database into a
 * version N one. Never edit a released step; add the next one and bump
 * CP_SQLITE_SCHEMA_VERSION. Amounts are INTEGER minor units. */
static const char *const migration_v1 =
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT"
  ");"

  "CREATE TABLE patients ("
  "  id                 INTEGER PRIMARY KEY,"
  "  mrn                TEXT NOT NULL UNIQUE CHECK (length(mrn) > 0),"
  "  given_name         TEXT NOT NULL DEFAULT '',"
  "  family_name        TEXT NOT NULL DEFAULT '',"
  "  date_of_birth      TEXT,"
  "  email              TEXT,"
  "  phone              TEXT,"
  "  address            TEXT,"
  "  preferred_language TEXT NOT NULL DEFAULT 'en',"
  "  stripe_customer_id TEXT"
  ");"
  "CREATE INDEX patients_name ON patients (family_name, given_name);"

  "CREATE TABLE invoices ("
  "  id          INTEGER PRIMARY KEY,"
  "  number      TEXT NOT NULL UNIQUE CHECK (length(number) > 0),"
  "  patient_id  INTEGER NOT NULL REFERENCES patients (id),"
  "  issue_date  TEXT NOT NULL,"
  "  due_date    TEXT NOT NULL,"
  "  currency    TEXT NOT NULL CHECK (length(currency) = 3),"
  "  tax_rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),"
  "  notes       TEXT,"
  "  voided      INTEGER NOT NULL DEFAULT 0 CHECK (voided IN (0, 1)),"
  "  created_at  TEXT NOT NULL"
  ");"
  "CREATE INDEX invoices_issue ON invoices (issue_date DESC, number);"
  "CREATE INDEX invoices_patient ON invoices (patient_id);"

  /* Bounds keep quantity * unit_amount and the sums inside int64 */
  "CREATE TABLE line_items ("
  "  id           INTEGER PRIMARY KEY,"
  "  invoice_id   INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,"
  "  position     INTEGER NOT NULL,"
  "  description  TEXT NOT NULL,"
  "  service_code TEXT,"
  "  quantity     INTEGER NOT NULL CHECK (quantity > 0 AND quantity <= 1000000),"
  "  unit_amount  INTEGER NOT NULL CHECK (unit_amount >= 0 AND unit_amount <= 1000000000000),"
  "  service_date TEXT,"
  "  provider     TEXT"
  ");"
  /* Covers the per-invoice sums as well as the ordered read */
  "CREATE INDEX line_items_invoice ON line_items (invoice_id, position, quantity, unit_amount);"

  "CREATE TABLE payments ("
  "  id                       INTEGER PRIMARY KEY,"
  "  invoice_id               INTEGER NOT NULL REFERENCES invoices (id),"
  "  stripe_payment_intent_id TEXT NOT NULL UNIQUE,"
  "  stripe_charge_id         TEXT,"
  "  amount                   INTEGER NOT NULL CHECK (amount >= 0),"
  "  currency                 TEXT NOT NULL CHECK (length(currency) = 3),"
  "  status                   TEXT NOT NULL,"
  "  card_brand               TEXT,"
  "  card_last4               TEXT,"
  "  failure_code             TEXT,"
  "  failure_message          TEXT,"
  "  receipt_url              TEXT,"
  "  channel                  TEXT NOT NULL CHECK (channel IN ('desk', 'kiosk', 'link')),"
  "  staff_id                 INTEGER REFERENCES staff (id),"
  "  created_at               TEXT NOT NULL,"
  "  disputed                 INTEGER NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1))"
  ");"
  "CREATE INDEX payments_invoice ON payments (invoice_id, status);"
  "CREATE INDEX payments_created ON payments (created_at);"

  "CREATE TABLE refunds ("
  "  id               INTEGER PRIMARY KEY,"
  "  stripe_refund_id TEXT NOT NULL UNIQUE,"
  "  payment_id       INTEGER NOT NULL REFERENCES payments (id),"
  "  invoice_id       INTEGER NOT NULL REFERENCES invoices (id),"
  "  amount           INTEGER NOT NULL CHECK (amount >= 0),"
  "  currency         TEXT NOT NULL CHECK (length(currency) = 3),"
  "  status           TEXT NOT NULL,"
  "  reason           TEXT,"
  "  staff_id         INTEGER REFERENCES staff (id),"
  "  created_at       TEXT NOT NULL"
  ");"
  "CREATE INDEX refunds_invoice ON refunds (invoice_id, status);"
  "CREATE INDEX refunds_payment ON refunds (payment_id);"
  "CREATE INDEX refunds_created ON refunds (created_at);"

  "CREATE TABLE staff ("
  "  id            INTEGER PRIMARY KEY,"
  "  username      TEXT NOT NULL UNIQUE CHECK (length(username) > 0),"
  "  display_name  TEXT NOT NULL,"
  "  role          TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor', 'admin')),"
  "  password_hash TEXT NOT NULL,"
  "  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))"
  ");"

  "CREATE TABLE idempotency_keys ("
  "  id         INTEGER PRIMARY KEY,"
  "  operation  TEXT NOT NULL UNIQUE,"
  "  key        TEXT NOT NULL,"
  "  created_at TEXT NOT NULL"
  ");"

  "CREATE TABLE audit_log ("
  "  id        INTEGER PRIMARY KEY,"
  "  at        TEXT NOT NULL,"
  "  staff_id  INTEGER,"
  "  action    TEXT NOT NULL,"
  "  object    TEXT,"
  "  details   TEXT,"
  "  prev_hash TEXT NOT NULL,"
  "  hash      TEXT NOT NULL"
  ");"
  "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
  "  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
  "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
  "  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;";

/* v2: the ledger. Payment attempts are payments rows that have not
 * succeeded (yet); each carries the UUID of its idempotency key. Events are
 * applied once by id; links are kept so they can be revoked. */
static const char *const migration_v2 =
  "ALTER TABLE payments ADD COLUMN attempt_id TEXT;"
  "ALTER TABLE payments ADD COLUMN overpaid INTEGER NOT NULL DEFAULT 0 CHECK (overpaid IN (0, 1));"
  "CREATE UNIQUE INDEX payments_attempt ON payments (attempt_id) WHERE attempt_id IS NOT NULL;"
  "CREATE INDEX payments_charge ON payments (stripe_charge_id);"

  "ALTER TABLE refunds ADD COLUMN failure_reason TEXT;"

  "CREATE TABLE applied_events ("
  "  event_id   TEXT PRIMARY KEY NOT NULL,"
  "  type       TEXT NOT NULL,"
  "  applied_at TEXT NOT NULL"
  ");"

  "CREATE TABLE payment_links ("
  "  id          TEXT PRIMARY KEY NOT NULL,"
  "  invoice_id  INTEGER NOT NULL REFERENCES invoices (id),"
  "  url         TEXT NOT NULL,"
  "  amount      INTEGER NOT NULL CHECK (amount >= 0),"
  "  currency    TEXT NOT NULL CHECK (length(currency) = 3),"
  "  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
  "  created_at  TEXT NOT NULL,"
  "  revoked_at  TEXT,"
  "  reason      TEXT"
  ");"
  "CREATE INDEX payment_links_invoice ON payment_links (invoice_id, active);";

/* v3: the mail send log (cp-mail.c, cp-reminders.c). One row a message;
 * kind is "invoice", "receipt", "refund", "statement" or "reminder:<offset>". */
static const char *const migration_v3 =
  "CREATE TABLE mail_log ("
  "  id          INTEGER PRIMARY KEY,"
  "  invoice_id  INTEGER REFERENCES invoices (id),"
  "  kind        TEXT NOT NULL,"
  "  recipient   TEXT NOT NULL,"
  "  subject     TEXT NOT NULL,"
  "  status      TEXT NOT NULL CHECK (status IN ('sending', 'retrying', 'sent', 'failed')),"
  "  attempts    INTEGER NOT NULL DEFAULT 0,"
  "  last_error  TEXT,"
  "  created_at  TEXT NOT NULL,"
  "  sent_at     TEXT,"
  "  message_id  TEXT"
  ");"
  "CREATE INDEX mail_log_invoice ON mail_log (invoice_id, kind);";

/* v4: the folded search keys (cp-sqlite-search.c), so the store's searches
 * ignore accents and case as the invoice list does. Filled by a C step
 * (migration_fills): SQLite cannot fold Unicode. */
static const char *const migration_v4 =
  "ALTER TABLE patients ADD COLUMN search_key TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE invoices ADD COLUMN search_key TEXT NOT NULL DEFAULT '';";

/* v5: sync applies the bodies of the events it lists (cp-sqlite-sync.c).
 * stripe_versions: per Stripe object, the newest state the ledger applied,
 * as the event's created second in microseconds (event_id set) or when we
 * asked Stripe for it (event_id NULL), so an older snapshot never overwrites
 * it. link_checks: invoices whose payment link is to be seen to once a page
 * of events is committed (revoked when paid); kept until done. */
static const char *const migration_v5 =
  "CREATE TABLE stripe_versions ("
  "  object_id TEXT PRIMARY KEY NOT NULL,"
  "  seen_us   INTEGER NOT NULL,"
  "  event_id  TEXT"
  ") WITHOUT ROWID;"

  "CREATE TABLE link_checks ("
  "  invoice_id INTEGER PRIMARY KEY NOT NULL REFERENCES invoices (id),"
  "  queued_at  TEXT NOT NULL"
  ");";

/* v6: the search keys fold letters with no decomposition too ("Løvstad" is
 * found as "lovstad", cp_invoice_index_fold): no schema change, the C step
 * remakes every key in the migration's transaction. */
static const char *const migration_v6 = "";

/* migrations[N - 1] is the step to version N. */
static const char *const migrations[] = {
  migration_v1,
  migration_v2,
  migration_v3,
  migration_v4,
  migration_v5,
  migration_v6,
};

/* Steps that also need C after their SQL, in the same transaction. */
static const struct {
  int        version;
  gboolean (*run) (sqlite3 *db, GError **error);
} migration_fills[] = {
  { 4, cp_sqlite_search_fill },
  { 6, cp_sqlite_search_fill },
};

/* Whether fill `i` runs again by `to_version`: then once is enough. */
static gboolean
fill_runs_later (guint i,
                 int   to_version)
{
  for (guint j = i + 1; j < G_N_ELEMENTS (migration_fills); j++)
    if (migration_fills[j].run == migration_fills[i].run && migration_fills[j].version <= to_version)
      return TRUE;
  return FALSE;
}

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CP_SQLITE_SCHEMA_VERSION);

void
cp_sqlite_set_error (sqlite3     *db,
                     int          rc,
                     const char  *what,
                     GError     **error)
{
  int code = CP_ERROR_DATABASE;
  int primary = rc & 0xff;

  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    code = CP_ERROR_EXISTS;
  else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    code = CP_ERROR_NOT_FOUND;
  else if (rc == SQLITE_CONSTRAINT_CHECK || rc == SQLITE_CONSTRAINT_NOTNULL)
    code = CP_ERROR_INVALID_INPUT;
  else if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
    code = CP_ERROR_NOT_A_DATABASE;

  /* The failures people can act on, in words they can act on */
  if (primary == SQLITE_FULL)
    g_set_error (error, CP_ERROR, code, _("%s: the disk is full; nothing of this change was saved. "
                                         "Free some space and try again"), what);
  else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    g_set_error (error, CP_ERROR, code, _("%s: the database is locked by another program; "
                                         "nothing of this change was saved. Try again in a moment"), what);
  else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    g_set_error (error, CP_ERROR, code, _("%s: the database file is damaged (%s); restore it from a backup"), what,
                 db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  else
    g_set_error (error, CP_ERROR, code, "%s: %s", what,
                 db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      const char  *what,
      GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      cp_sqlite_set_error (db, sqlite3_extended_errcode (db), what, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
cp_sqlite_migrate (sqlite3     *db,
                   int          from_version,
                   int          to_version,
                   GError     **error)
{
  g_autofree char *pragmas = NULL;

  g_return_val_if_fail (from_version >= 0, FALSE);
  g_return_val_if_fail (to_version <= CP_SQLITE_SCHEMA_VERSION, FALSE);

  if (from_version >= to_version)
    return TRUE;

  if (!exec (db, "BEGIN IMMEDIATE", "Could not start the migration", error))
    return FALSE;

  for (int v = from_version + 1; v <= to_version; v++)
    {
      g_autofree char *what = g_strdup_printf ("Could not migrate the database to version %d", v);

      g_debug ("Migrating database to schema version %d", v);
      if (!exec (db, migrations[v - 1], what, error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      for (guint i = 0; i < G_N_ELEMENTS (migration_fills); i++)
        if (migration_fills[i].version == v && !fill_runs_later (i, to_version) &&
            !migration_fills[i].run (db, error))
          {
            sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
            return FALSE;
          }
    }

  pragmas = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %d;",
                             CP_SQLITE_APPLICATION_ID, to_version);
  if (!exec (db, pragmas, "Could not set the schema version", error) ||
      !exec (db, "COMMIT", "Could not commit the migration", error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}
