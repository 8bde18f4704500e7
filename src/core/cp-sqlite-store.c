/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-sqlite-check.h"
#include "cp-sqlite-private.h"
#include "cp-thread-call.h"

/* One connection (SQLITE_OPEN_FULLMUTEX) shared by every thread. A recursive
 * lock around each method keeps the cached statements and multi-statement
 * operations consistent; cp_store_begin() keeps the lock until the matching
 * commit or rollback, so a transaction belongs to the thread that began it.
 * Reads of every invoice go to a second, read-only connection (reader). */
struct _CpSqliteStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GRecMutex   lock;
  GHashTable *statements;   /* SQL text -> sqlite3_stmt */
  int         schema_version;
  int         tx_depth;     /* written under `lock`, atomically: probe_busy_cb reads it */
  gboolean    read_only;
  CpSqliteCheck *check;     /* the integrity check writers wait for, if any */
  CpSqliteStore *reader;    /* a read-only twin for reads of every invoice */
  /* cp_sqlite_store_pause_reads(): the reader waits until then (monotonic µs) */
  GMutex      pause_mutex;
  GCond       pause_cond;
  gint64      paused_until;
  gint        paused;       /* atomic: paused_until is set */
  /* Takes and gives back the write lock before a write (wait_for_write_lock) */
  sqlite3    *probe;
  GMutex      probe_mutex;
};

static void cp_sqlite_store_iface_init (CpStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpSqliteStore, cp_sqlite_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CP_TYPE_STORE, cp_sqlite_store_iface_init))

#define stmt_release cp_sqlite_stmt_release

static void
stmt_finalize (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

/* Helpers */

static char *
now_utc (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static sqlite3_stmt *
prepare (CpSqliteStore  *self,
         const char     *sql,
         GError        **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      cp_sqlite_set_error (self->db, rc, "Could not prepare a query", error);
      return NULL;
    }

  /* Keys are the static SQL strings of this file */
  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

static gboolean
step_done (CpSqliteStore  *self,
           sqlite3_stmt   *stmt,
           const char     *what,
           GError        **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      cp_sqlite_set_error (self->db, rc, what, error);
      return FALSE;
    }
  return TRUE;
}

/* SQLITE_ROW: TRUE and *has_row; SQLITE_DONE: TRUE and !*has_row; else an error. */
static gboolean
step_row (CpSqliteStore  *self,
          sqlite3_stmt   *stmt,
          gboolean       *has_row,
          const char     *what,
          GError        **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return (*has_row = TRUE);
  if (rc == SQLITE_DONE)
    {
      *has_row = FALSE;
      return TRUE;
    }

  cp_sqlite_set_error (self->db, rc, what, error);
  return FALSE;
}

/* For the other files of the store (cp-sqlite-ledger.c) */
sqlite3_stmt *
cp_sqlite_store_prepare (CpSqliteStore  *self,
                         const char     *sql,
                         GError        **error)
{
  return prepare (self, sql, error);
}

gboolean
cp_sqlite_store_step_row (CpSqliteStore  *self,
                          sqlite3_stmt   *stmt,
                          gboolean       *has_row,
                          const char     *what,
                          GError        **error)
{
  return step_row (self, stmt, has_row, what, error);
}

gboolean
cp_sqlite_store_step_done (CpSqliteStore  *self,
                           sqlite3_stmt   *stmt,
                           const char     *what,
                           GError        **error)
{
  return step_done (self, stmt, what, error);
}

gboolean
cp_sqlite_store_insert_line_items (CpSqliteStore  *self,
                                   gint64          invoice_id,
                                   GPtrArray      *line_items,
                                   GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt =
    prepare (self,
             "INSERT INTO line_items (invoice_id, position, description, service_code, quantity, "
             "unit_amount, service_date, provider) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < line_items->len; i++)
    {
      CpLineItem *item = g_ptr_array_index (line_items, i);

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, invoice_id);
      sqlite3_bind_int (stmt, 2, (int) i);
      cp_sqlite_bind_text (stmt, 3, item->description ? item->description : "");
      cp_sqlite_bind_text (stmt, 4, item->service_code);
      sqlite3_bind_int64 (stmt, 5, item->quantity);
      sqlite3_bind_int64 (stmt, 6, item->unit_amount);
      cp_sqlite_bind_text (stmt, 7, item->service_date);
      cp_sqlite_bind_text (stmt, 8, item->provider);
      if (!step_done (self, stmt, _("Could not save a line item"), error))
        return FALSE;
      item->id = sqlite3_last_insert_rowid (self->db);
      item->invoice_id = invoice_id;
      item->position = (int) i;
    }
  return TRUE;
}

GRecMutex *
cp_sqlite_store_get_lock (CpSqliteStore *self)
{
  return &self->lock;
}

char *
cp_sqlite_now_utc (void)
{
  return now_utc ();
}

static gboolean
exec_sql (CpSqliteStore  *self,
          const char     *sql,
          const char     *what,
          GError        **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      cp_sqlite_set_error (self->db, rc, what, error);
      return FALSE;
    }
  return TRUE;
}

/* Transactions */

/* Savepoint statements for the usual nesting depths, prepared once: a bulk
 * seed or import opens one per invoice. */
#define SP(n) { "SAVEPOINT cp_" #n, "RELEASE cp_" #n }
static const char *const savepoint_sql[][2] = {
  SP (1), SP (2), SP (3), SP (4), SP (5), SP (6), SP (7), SP (8),
};
#undef SP

static gboolean
run_cached (CpSqliteStore  *self,
            const char     *sql,
            const char     *what,
            GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);

  return stmt != NULL && step_done (self, stmt, what, error);
}

/* Runs `sql` for depth >= 1 (kind 0: SAVEPOINT, 1: RELEASE). */
static gboolean
run_savepoint (CpSqliteStore  *self,
               int             depth,
               int             kind,
               const char     *what,
               GError        **error)
{
  g_autofree char *sql = NULL;

  if (depth >= 1 && depth <= (int) G_N_ELEMENTS (savepoint_sql))
    return run_cached (self, savepoint_sql[depth - 1][kind], what, error);

  sql = g_strdup_printf ("%s cp_%d", kind == 0 ? "SAVEPOINT" : "RELEASE", depth);
  return exec_sql (self, sql, what, error);
}

static gboolean
cp_sqlite_store_begin (CpStore  *store,
                       GError  **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  gboolean ok;

  /* Before the lock, so reads go on while the background check runs */
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  g_rec_mutex_lock (&self->lock);

  if (self->tx_depth == 0)
    ok = run_cached (self, "BEGIN IMMEDIATE", "Could not start a transaction", error);
  else
    ok = run_savepoint (self, self->tx_depth, 0, "Could not start a transaction", error);

  if (!ok)
    {
      g_rec_mutex_unlock (&self->lock);
      return FALSE;
    }

  g_atomic_int_inc (&self->tx_depth);
  return TRUE;
}

static gboolean
cp_sqlite_store_commit (CpStore  *store,
                        GError  **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  gboolean ok;

  g_rec_mutex_lock (&self->lock);

  if (self->tx_depth == 0)
    {
      g_rec_mutex_unlock (&self->lock);
      g_set_error_literal (error, CP_ERROR, CP_ERROR_FAILED, "No transaction to commit");
      return FALSE;
    }

  if (self->tx_depth == 1)
    ok = run_cached (self, "COMMIT", "Could not commit", error);
  else
    ok = run_savepoint (self, self->tx_depth - 1, 1, "Could not commit", error);

  if (!ok)
    {
      if (self->tx_depth == 1)
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      else
        {
          g_autofree char *undo = g_strdup_printf ("ROLLBACK TO cp_%d; RELEASE cp_%d",
                                                   self->tx_depth - 1, self->tx_depth - 1);
          sqlite3_exec (self->db, undo, NULL, NULL, NULL);
        }
    }

  g_atomic_int_add (&self->tx_depth, -1);
  /* Once for this call, once for the matching begin */
  g_rec_mutex_unlock (&self->lock);
  g_rec_mutex_unlock (&self->lock);
  return ok;
}

static void
cp_sqlite_store_rollback (CpStore *store)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  g_autofree char *sql = NULL;

  g_rec_mutex_lock (&self->lock);

  if (self->tx_depth == 0)
    {
      g_rec_mutex_unlock (&self->lock);
      g_critical ("cp_store_rollback() without a transaction");
      return;
    }

  if (self->tx_depth == 1)
    sql = g_strdup ("ROLLBACK");
  else
    sql = g_strdup_printf ("ROLLBACK TO cp_%d; RELEASE cp_%d", self->tx_depth - 1, self->tx_depth - 1);

  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("Rollback failed: %s", sqlite3_errmsg (self->db));

  g_atomic_int_add (&self->tx_depth, -1);
  g_rec_mutex_unlock (&self->lock);
  g_rec_mutex_unlock (&self->lock);
}

/* Meta */

static char *
cp_sqlite_store_get_meta (CpStore    *store,
                          const char *key)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT value FROM meta WHERE key = ?1", NULL);

  if (stmt == NULL)
    return NULL;

  cp_sqlite_bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return cp_sqlite_col_text (stmt, 0);
  return NULL;
}

/* PRAGMA data_version on the main connection: other connections' commits
 * change it, its own do not (the reading twin never writes). */
static gboolean
cp_sqlite_store_get_data_version (CpStore  *store,
                                  guint64  *out_version,
                                  GError  **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "PRAGMA data_version", error);
  gboolean has_row;

  if (stmt == NULL || !step_row (self, stmt, &has_row, _("Could not read the database's version"), error))
    return FALSE;
  *out_version = has_row ? (guint64) sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

static gboolean
cp_sqlite_store_set_meta (CpStore     *store,
                          const char  *key,
                          const char  *value,
                          GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (value == NULL)
    stmt = prepare (self, "DELETE FROM meta WHERE key = ?1", error);
  else
    stmt = prepare (self,
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    return FALSE;

  cp_sqlite_bind_text (stmt, 1, key);
  if (value != NULL)
    cp_sqlite_bind_text (stmt, 2, value);
  return step_done (self, stmt, "Could not save a setting", error);
}

/* Patients */

#define PATIENT_COLUMNS \
  "p.id, p.mrn, p.given_name, p.family_name, p.date_of_birth, p.email, p.phone, " \
  "p.address, p.preferred_language, p.stripe_customer_id"
#define N_PATIENT_COLUMNS 10

static CpPatient *
patient_from_row (sqlite3_stmt *stmt,
                  int           col)
{
  CpPatient *patient = g_new0 (CpPatient, 1);

  patient->id = sqlite3_column_int64 (stmt, col + 0);
  patient->mrn = cp_sqlite_col_text (stmt, col + 1);
  patient->given_name = cp_sqlite_col_text (stmt, col + 2);
  patient->family_name = cp_sqlite_col_text (stmt, col + 3);
  patient->date_of_birth = cp_sqlite_col_text (stmt, col + 4);
  patient->email = cp_sqlite_col_text (stmt, col + 5);
  patient->phone = cp_sqlite_col_text (stmt, col + 6);
  patient->address = cp_sqlite_col_text (stmt, col + 7);
  patient->preferred_language = cp_sqlite_col_text (stmt, col + 8);
  patient->stripe_customer_id = cp_sqlite_col_text (stmt, col + 9);
  return patient;
}

static gboolean
cp_sqlite_store_save_patient (CpStore    *store,
                              CpPatient  *patient,
                              GError    **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *search_key = NULL;

  if (patient->mrn == NULL || *patient->mrn == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("A patient needs a medical record number"));
      return FALSE;
    }
  if (patient->date_of_birth != NULL && *patient->date_of_birth != '\0' &&
      !cp_date_is_valid (patient->date_of_birth))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("“%s” is not a date"), patient->date_of_birth);
      return FALSE;
    }

  if (patient->id <= 0)
    stmt = prepare (self,
                    "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, email, phone, "
                    "address, preferred_language, stripe_customer_id, search_key) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?11)", error);
  else
    stmt = prepare (self,
                    "UPDATE patients SET mrn = ?1, given_name = ?2, family_name = ?3, date_of_birth = ?4, "
                    "email = ?5, phone = ?6, address = ?7, preferred_language = ?8, "
                    "stripe_customer_id = ?9, search_key = ?11 WHERE id = ?10", error);
  if (stmt == NULL)
    return FALSE;

  cp_sqlite_bind_text (stmt, 1, patient->mrn);
  cp_sqlite_bind_text (stmt, 2, patient->given_name ? patient->given_name : "");
  cp_sqlite_bind_text (stmt, 3, patient->family_name ? patient->family_name : "");
  cp_sqlite_bind_text (stmt, 4, patient->date_of_birth);
  cp_sqlite_bind_text (stmt, 5, patient->email);
  cp_sqlite_bind_text (stmt, 6, patient->phone);
  cp_sqlite_bind_text (stmt, 7, patient->address);
  cp_sqlite_bind_text (stmt, 8, patient->preferred_language ? patient->preferred_language : "en");
  cp_sqlite_bind_text (stmt, 9, patient->stripe_customer_id);
  if (patient->id > 0)
    sqlite3_bind_int64 (stmt, 10, patient->id);
  search_key = cp_sqlite_search_patient_key (patient->mrn, patient->given_name, patient->family_name);
  cp_sqlite_bind_text (stmt, 11, search_key);

  if (!step_done (self, stmt, _("Could not save the patient"), error))
    return FALSE;

  if (patient->id <= 0)
    patient->id = sqlite3_last_insert_rowid (self->db);
  else if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No patient with id %" PRId64), patient->id);
      return FALSE;
    }
  return TRUE;
}

static CpPatient *
cp_sqlite_store_get_patient (CpStore  *store,
                             gint64    id,
                             GError  **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT " PATIENT_COLUMNS " FROM patients p WHERE p.id = ?1", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!step_row (self, stmt, &has_row, _("Could not read the patient"), error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No patient with id %" PRId64), id);
      return NULL;
    }
  return patient_from_row (stmt, 0);
}

static CpPatient *
cp_sqlite_store_get_patient_by_mrn (CpStore     *store,
                                    const char  *mrn,
                                    GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT " PATIENT_COLUMNS " FROM patients p WHERE p.mrn = ?1", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  cp_sqlite_bind_text (stmt, 1, mrn);
  if (!step_row (self, stmt, &has_row, _("Could not read the patient"), error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No patient with medical record number %s"), mrn);
      return NULL;
    }
  return patient_from_row (stmt, 0);
}

static GPtrArray *
cp_sqlite_store_list_patients (CpStore     *store,
                               const char  *search,
                               guint        limit,
                               GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_patient_free);
  g_autofree char *pattern = cp_sqlite_search_pattern (search);
  gboolean has_row;

  stmt = prepare (self,
                  "SELECT " PATIENT_COLUMNS " FROM patients p "
                  "WHERE ?1 IS NULL OR p.search_key LIKE ?1 ESCAPE '\\' "
                  "   OR p.email LIKE ?1 ESCAPE '\\' "
                  "ORDER BY p.family_name, p.given_name, p.id LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;

  cp_sqlite_bind_text (stmt, 1, pattern);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (sqlite3_int64) limit : -1);
  while (step_row (self, stmt, &has_row, _("Could not list patients"), error))
    {
      if (!has_row)
        return g_steal_pointer (&rows);
      g_ptr_array_add (rows, patient_from_row (stmt, 0));
    }
  return NULL;
}

/* Invoices */

static char *
next_number_locked (CpSqliteStore  *self,
                    const char     *year,
                    GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *low = g_strdup_printf ("INV-%s-", year);
  g_autofree char *high = g_strdup_printf ("INV-%s.", year);
  gint64 next = 1;
  gboolean has_row;

  stmt = prepare (self,
                  "SELECT number FROM invoices WHERE number >= ?1 AND number < ?2 "
                  "AND number GLOB 'INV-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]' "
                  "ORDER BY number DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;

  cp_sqlite_bind_text (stmt, 1, low);
  cp_sqlite_bind_text (stmt, 2, high);
  if (!step_row (self, stmt, &has_row, _("Could not number the invoice"), error))
    return NULL;
  if (has_row)
    next = g_ascii_strtoll ((const char *) sqlite3_column_text (stmt, 0) + 9, NULL, 10) + 1;

  if (next > 999999)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_OVERFLOW, _("No invoice numbers left for %s"), year);
      return NULL;
    }
  return g_strdup_printf ("INV-%s-%06" G_GINT64_FORMAT, year, next);
}

static char *
cp_sqlite_store_next_invoice_number (CpStore  *store,
                                     GError  **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return NULL;
  CP_SQLITE_LOCK (self);
  g_autofree char *today = cp_today ();

  today[4] = '\0';
  return next_number_locked (self, today, error);
}

static gboolean
create_invoice_locked (CpSqliteStore  *self,
                       CpInvoice      *invoice,
                       GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *created_at = now_utc ();
  g_autofree char *today = NULL;
  g_autofree char *search_key = NULL;
  gint64 id;

  if (invoice->number == NULL || *invoice->number == '\0')
    {
      g_autofree char *year = g_strndup (invoice->issue_date, 4);

      g_free (invoice->number);
      invoice->number = next_number_locked (self, year, error);
      if (invoice->number == NULL)
        return FALSE;
    }

  stmt = prepare (self,
                  "INSERT INTO invoices (number, patient_id, issue_date, due_date, currency, "
                  "tax_rate_bp, notes, voided, created_at, search_key) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error);
  if (stmt == NULL)
    return FALSE;

  cp_sqlite_bind_text (stmt, 1, invoice->number);
  sqlite3_bind_int64 (stmt, 2, invoice->patient->id);
  cp_sqlite_bind_text (stmt, 3, invoice->issue_date);
  cp_sqlite_bind_text (stmt, 4, invoice->due_date);
  cp_sqlite_bind_text (stmt, 5, invoice->currency);
  sqlite3_bind_int (stmt, 6, invoice->tax_rate_bp);
  cp_sqlite_bind_text (stmt, 7, invoice->notes);
  sqlite3_bind_int (stmt, 8, invoice->voided ? 1 : 0);
  cp_sqlite_bind_text (stmt, 9, created_at);
  search_key = cp_sqlite_search_invoice_key (invoice->number);
  cp_sqlite_bind_text (stmt, 10, search_key);

  if (!step_done (self, stmt, _("Could not save the invoice"), error))
    {
      if (error != NULL && *error != NULL && (*error)->code == CP_ERROR_EXISTS)
        {
          g_clear_error (error);
          g_set_error (error, CP_ERROR, CP_ERROR_EXISTS, _("Invoice number %s is taken"), invoice->number);
        }
      return FALSE;
    }
  id = sqlite3_last_insert_rowid (self->db);
  g_clear_pointer (&stmt, stmt_release);
  if (!cp_sqlite_store_insert_line_items (self, id, invoice->line_items, error))
    return FALSE;

  invoice->id = id;
  today = cp_today ();
  return cp_invoice_compute (invoice, today, error);
}

static gboolean
check_invoice (CpInvoice  *invoice,
               GError    **error)
{
  if (invoice->patient == NULL || invoice->patient->id <= 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The invoice has no saved patient"));
      return FALSE;
    }
  if (!cp_date_is_valid (invoice->issue_date) || !cp_date_is_valid (invoice->due_date))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Issue and due dates must be YYYY-MM-DD dates"));
      return FALSE;
    }
  if (strcmp (invoice->due_date, invoice->issue_date) < 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The due date is before the issue date"));
      return FALSE;
    }
  if (invoice->currency == NULL || !cp_currency_is_known (invoice->currency))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Unknown currency “%s”"),
                   invoice->currency ? invoice->currency : "");
      return FALSE;
    }
  if (invoice->tax_rate_bp < 0 || invoice->tax_rate_bp > 10000)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The tax rate must be between 0 and 100 %"));
      return FALSE;
    }
  for (guint i = 0; i < invoice->line_items->len; i++)
    {
      CpLineItem *item = g_ptr_array_index (invoice->line_items, i);

      if (item->quantity <= 0 || item->unit_amount < 0)
        {
          g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                               _("Line items need a positive quantity and an amount of zero or more"));
          return FALSE;
        }
      if (item->service_date != NULL && !cp_date_is_valid (item->service_date))
        {
          g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("“%s” is not a date"), item->service_date);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
cp_sqlite_store_create_invoice (CpStore    *store,
                                CpInvoice  *invoice,
                                GError    **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);

  if (!check_invoice (invoice, error))
    return FALSE;

  if (!cp_sqlite_store_begin (store, error))
    return FALSE;
  if (!create_invoice_locked (self, invoice, error))
    {
      cp_sqlite_store_rollback (store);
      invoice->id = 0;
      return FALSE;
    }
  return cp_sqlite_store_commit (store, error);
}

static gboolean
load_invoice_children (CpSqliteStore  *self,
                       CpInvoice      *invoice,
                       GError        **error)
{
  gboolean has_row;
  gboolean ok;

  {
    g_autoptr(sqlite3_stmt) stmt = prepare (self,
                                            "SELECT id, position, description, service_code, quantity, "
                                            "unit_amount, service_date, provider FROM line_items "
                                            "WHERE invoice_id = ?1 ORDER BY position, id", error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, invoice->id);
    while ((ok = step_row (self, stmt, &has_row, _("Could not read line items"), error)) && has_row)
      {
        CpLineItem *item = g_new0 (CpLineItem, 1);

        item->id = sqlite3_column_int64 (stmt, 0);
        item->invoice_id = invoice->id;
        item->position = sqlite3_column_int (stmt, 1);
        item->description = cp_sqlite_col_text (stmt, 2);
        item->service_code = cp_sqlite_col_text (stmt, 3);
        item->quantity = sqlite3_column_int64 (stmt, 4);
        item->unit_amount = sqlite3_column_int64 (stmt, 5);
        item->service_date = cp_sqlite_col_text (stmt, 6);
        item->provider = cp_sqlite_col_text (stmt, 7);
        g_ptr_array_add (invoice->line_items, item);
      }
    if (!ok)
      return FALSE;
  }

  {
    g_autoptr(sqlite3_stmt) stmt = prepare (self,
                                            "SELECT " PAYMENT_COLUMNS " FROM payments "
                                            "WHERE invoice_id = ?1 ORDER BY created_at, id", error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, invoice->id);
    while ((ok = step_row (self, stmt, &has_row, _("Could not read payments"), error)) && has_row)
      g_ptr_array_add (invoice->payments, cp_sqlite_payment_from_row (stmt));
    if (!ok)
      return FALSE;
  }

  {
    g_autoptr(sqlite3_stmt) stmt = prepare (self,
                                            "SELECT " REFUND_COLUMNS " FROM refunds "
                                            "WHERE invoice_id = ?1 ORDER BY created_at, id", error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, invoice->id);
    while ((ok = step_row (self, stmt, &has_row, _("Could not read refunds"), error)) && has_row)
      g_ptr_array_add (invoice->refunds, cp_sqlite_refund_from_row (stmt));
    if (!ok)
      return FALSE;
  }

  return TRUE;
}

static CpInvoice *
get_invoice_locked (CpSqliteStore  *self,
                    gint64          id,
                    const char     *number,
                    GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autofree char *today = NULL;
  gboolean has_row;

  if (number != NULL)
    stmt = prepare (self,
                    "SELECT i.id, i.number, i.issue_date, i.due_date, i.currency, i.tax_rate_bp, "
                    "i.notes, i.voided, " PATIENT_COLUMNS " FROM invoices i "
                    "JOIN patients p ON p.id = i.patient_id WHERE i.number = ?1", error);
  else
    stmt = prepare (self,
                    "SELECT i.id, i.number, i.issue_date, i.due_date, i.currency, i.tax_rate_bp, "
                    "i.notes, i.voided, " PATIENT_COLUMNS " FROM invoices i "
                    "JOIN patients p ON p.id = i.patient_id WHERE i.id = ?1", error);
  if (stmt == NULL)
    return NULL;

  if (number != NULL)
    cp_sqlite_bind_text (stmt, 1, number);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  if (!step_row (self, stmt, &has_row, _("Could not read the invoice"), error))
    return NULL;
  if (!has_row)
    {
      if (number != NULL)
        g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No invoice %s"), number);
      else
        g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No invoice with id %" PRId64), id);
      return NULL;
    }

  invoice = cp_invoice_new ();
  g_clear_pointer (&invoice->currency, g_free);
  invoice->id = sqlite3_column_int64 (stmt, 0);
  invoice->number = cp_sqlite_col_text (stmt, 1);
  invoice->issue_date = cp_sqlite_col_text (stmt, 2);
  invoice->due_date = cp_sqlite_col_text (stmt, 3);
  invoice->currency = cp_sqlite_col_text (stmt, 4);
  invoice->tax_rate_bp = sqlite3_column_int (stmt, 5);
  invoice->notes = cp_sqlite_col_text (stmt, 6);
  invoice->voided = sqlite3_column_int (stmt, 7) != 0;
  invoice->patient = patient_from_row (stmt, 8);
  g_clear_pointer (&stmt, stmt_release);

  if (!load_invoice_children (self, invoice, error))
    return NULL;

  today = cp_today ();
  if (!cp_invoice_compute (invoice, today, error))
    return NULL;
  return g_steal_pointer (&invoice);
}

static CpInvoice *
cp_sqlite_store_get_invoice (CpStore  *store,
                             gint64    id,
                             GError  **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);

  return get_invoice_locked (self, id, NULL, error);
}

static CpInvoice *
cp_sqlite_store_get_invoice_by_number (CpStore     *store,
                                       const char  *number,
                                       GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);

  return get_invoice_locked (self, 0, number, error);
}

/* Totals per invoice come from SQL aggregates; tax, balance and status are
 * derived in C with the same functions as cp_invoice_compute(). A narrow
 * query (search or patient) sums per invoice with correlated subqueries; a
 * broad one reads each aggregate in one GROUP BY pass, which for 100,000
 * invoices is about twice as fast, and merges them by invoice id. */
#define LIST_COLUMNS \
  "SELECT i.id, i.number, i.patient_id, p.family_name, p.given_name, p.mrn, " \
  "  i.issue_date, i.due_date, i.currency, i.tax_rate_bp, i.voided"
/* One patient's invoices get their own statement: with "?2 = 0 OR ..." the
 * planner cannot use the invoices_patient index and scans every invoice. */
#define LIST_FROM_WHERE(patient) \
  " FROM invoices i JOIN patients p ON p.id = i.patient_id " \
  "WHERE (?1 IS NULL OR i.search_key LIKE ?1 ESCAPE '\\' OR p.search_key LIKE ?1 ESCAPE '\\') " \
  "  AND " patient " " \
  "ORDER BY i.issue_date DESC, i.number " \
  "LIMIT ?3"
#define LIST_FROM LIST_FROM_WHERE ("?2 = 0")
#define LIST_AGGREGATES \
  LIST_COLUMNS ", " \
  "  (SELECT COALESCE(SUM(l.quantity * l.unit_amount), 0) FROM line_items l WHERE l.invoice_id = i.id), " \
  "  (SELECT COALESCE(SUM(pa.amount), 0) FROM payments pa " \
  "     WHERE pa.invoice_id = i.id AND pa.status = 'succeeded'), " \
  "  (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r " \
  "     WHERE r.invoice_id = i.id AND r.status IN ('succeeded', 'pending')), " \
  "  EXISTS (SELECT 1 FROM payments pd WHERE pd.invoice_id = i.id AND pd.disputed = 1)"

static const char list_invoices_narrow_sql[] = LIST_AGGREGATES LIST_FROM;
static const char list_invoices_patient_sql[] = LIST_AGGREGATES LIST_FROM_WHERE ("i.patient_id = ?2");
static const char list_invoices_broad_sql[] = LIST_COLUMNS LIST_FROM;

GArray *
cp_sqlite_store_read_sums (CpSqliteStore  *self,
                           const char     *sql,
                           const char     *param,
                           const char     *what,
                           GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (CpSqliteSum));
  gboolean has_row;

  if (stmt == NULL)
    return NULL;
  if (sqlite3_bind_parameter_count (stmt) > 0)
    cp_sqlite_bind_text (stmt, 1, param);

  while (step_row (self, stmt, &has_row, what, error))
    {
      CpSqliteSum agg;

      if (!has_row)
        return g_steal_pointer (&rows);
      agg.invoice_id = sqlite3_column_int64 (stmt, 0);
      agg.value = sqlite3_column_int64 (stmt, 1);
      agg.flag = sqlite3_column_count (stmt) > 2 ? sqlite3_column_int64 (stmt, 2) : 0;
      g_array_append_val (rows, agg);
    }
  return NULL;
}

const CpSqliteSum *
cp_sqlite_sums_find (GArray *sums,
                     gint64  invoice_id)
{
  guint lo = 0, hi = sums->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const CpSqliteSum *agg = &g_array_index (sums, CpSqliteSum, mid);

      if (agg->invoice_id == invoice_id)
        return agg;
      if (agg->invoice_id < invoice_id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

static GPtrArray *
list_invoices_locked (CpSqliteStore         *self,
                      const CpInvoiceQuery  *query,
                      const char            *today,
                      GError               **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_summary_free);
  g_autoptr(GArray) subtotals = NULL;
  g_autoptr(GArray) payments = NULL;
  g_autoptr(GArray) refunds = NULL;
  g_autofree char *pattern = cp_sqlite_search_pattern (query->search);
  gboolean has_row;
  gboolean filter = query->status >= 0;
  gboolean broad = pattern == NULL && query->patient_id <= 0 && (query->limit <= 0 || filter);

  if (broad)
    {
      subtotals = cp_sqlite_store_read_sums (self,
                                             "SELECT invoice_id, SUM(quantity * unit_amount) FROM line_items "
                                             "GROUP BY invoice_id ORDER BY invoice_id",
                                             NULL, _("Could not list invoices"), error);
      if (subtotals == NULL)
        return NULL;
      payments = cp_sqlite_store_read_sums (self,
                                            "SELECT invoice_id, SUM(CASE WHEN status = 'succeeded' THEN amount ELSE 0 END), "
                                            "MAX(disputed) FROM payments GROUP BY invoice_id ORDER BY invoice_id",
                                            NULL, _("Could not list invoices"), error);
      if (payments == NULL)
        return NULL;
      refunds = cp_sqlite_store_read_sums (self,
                                           "SELECT invoice_id, SUM(amount) FROM refunds "
                                           "WHERE status IN ('succeeded', 'pending') "
                                           "GROUP BY invoice_id ORDER BY invoice_id",
                                           NULL, _("Could not list invoices"), error);
      if (refunds == NULL)
        return NULL;
    }

  stmt = prepare (self,
                  broad ? list_invoices_broad_sql
                  : query->patient_id > 0 ? list_invoices_patient_sql
                  : list_invoices_narrow_sql, error);
  if (stmt == NULL)
    return NULL;

  cp_sqlite_bind_text (stmt, 1, pattern);
  sqlite3_bind_int64 (stmt, 2, MAX (query->patient_id, 0));
  /* With a status filter the limit applies after filtering, in C */
  sqlite3_bind_int (stmt, 3, (query->limit > 0 && !filter) ? query->limit : -1);

  while (step_row (self, stmt, &has_row, _("Could not list invoices"), error))
    {
      CpInvoiceSummary *row;
      gint64 id, subtotal, tax, total;
      const char *due_date;
      gboolean voided, disputed;
      CpInvoiceStatus status;
      gint64 paid, refunded, balance;

      if (!has_row)
        return g_steal_pointer (&rows);

      id = sqlite3_column_int64 (stmt, 0);
      if (broad)
        {
          const CpSqliteSum *agg;

          agg = cp_sqlite_sums_find (subtotals, id);
          subtotal = agg ? agg->value : 0;
          agg = cp_sqlite_sums_find (payments, id);
          paid = agg ? agg->value : 0;
          disputed = agg ? agg->flag != 0 : FALSE;
          agg = cp_sqlite_sums_find (refunds, id);
          refunded = agg ? agg->value : 0;
        }
      else
        {
          subtotal = sqlite3_column_int64 (stmt, 11);
          paid = sqlite3_column_int64 (stmt, 12);
          refunded = sqlite3_column_int64 (stmt, 13);
          disputed = sqlite3_column_int (stmt, 14) != 0;
        }

      if (!cp_money_apply_rate_bp (subtotal, sqlite3_column_int (stmt, 9), &tax, error) ||
          !cp_money_add (subtotal, tax, &total, error))
        return NULL;

      voided = sqlite3_column_int (stmt, 10) != 0;
      due_date = (const char *) sqlite3_column_text (stmt, 7);
      status = cp_invoice_status_compute (voided, total, paid, refunded, due_date, today, &balance);
      if (filter && (int) status != query->status)
        continue;

      row = g_new0 (CpInvoiceSummary, 1);
      row->id = id;
      row->number = cp_sqlite_col_text (stmt, 1);
      row->patient_id = sqlite3_column_int64 (stmt, 2);
      row->patient_name = g_strdup_printf ("%s, %s", sqlite3_column_text (stmt, 3), sqlite3_column_text (stmt, 4));
      row->mrn = cp_sqlite_col_text (stmt, 5);
      row->issue_date = cp_sqlite_col_text (stmt, 6);
      row->due_date = g_strdup (due_date);
      row->currency = cp_sqlite_col_text (stmt, 8);
      row->total = total;
      row->amount_paid = paid;
      row->amount_refunded = refunded;
      row->balance_due = balance;
      row->voided = voided;
      row->disputed = disputed;
      row->status = status;
      g_ptr_array_add (rows, row);

      if (filter && query->limit > 0 && rows->len >= (guint) query->limit)
        return g_steal_pointer (&rows);
    }
  return NULL;
}

/* TRUE when this thread is inside a transaction of its own: only the main
 * connection sees what it has written so far. */
static gboolean
in_own_transaction (CpSqliteStore *self)
{
  gboolean own = FALSE;

  /* A transaction keeps the lock until it ends: if this thread can take
   * the lock while one is open, the transaction is this thread's. */
  if (g_rec_mutex_trylock (&self->lock))
    {
      own = self->tx_depth > 0;
      g_rec_mutex_unlock (&self->lock);
    }
  return own;
}

/* Every invoice, on the twin connection in one read transaction: a
 * committed snapshot, while the main connection serves everyone else. */
static GPtrArray *
list_all_invoices_on_reader (CpSqliteStore         *self,
                             const CpInvoiceQuery  *query,
                             const char            *today,
                             GError               **error)
{
  CpSqliteStore *reader = self->reader;
  CP_SQLITE_LOCK (reader);
  GPtrArray *rows;

  if (!exec_sql (reader, "BEGIN", _("Could not list invoices"), error))
    return NULL;
  rows = list_invoices_locked (reader, query, today, error);
  sqlite3_exec (reader->db, "COMMIT", NULL, NULL, NULL);
  return rows;
}

static GPtrArray *
cp_sqlite_store_list_invoices (CpStore               *store,
                               const CpInvoiceQuery  *query,
                               GError               **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CpInvoiceQuery all = CP_INVOICE_QUERY_INIT;
  g_autofree char *today = cp_today ();

  if (query == NULL)
    query = &all;
  /* The whole list takes ~0.8 s to read at 100,000 invoices: on the main
   * connection it would hold up every other call, a password check or a
   * payment's write included. */
  if (self->reader != NULL && query->limit <= 0 && query->patient_id <= 0 &&
      (query->search == NULL || *query->search == '\0') && !in_own_transaction (self))
    return list_all_invoices_on_reader (self, query, today, error);

  CP_SQLITE_LOCK (self);
  return list_invoices_locked (self, query, today, error);
}

static gboolean
cp_sqlite_store_set_invoice_voided (CpStore   *store,
                                    gint64     invoice_id,
                                    gboolean   voided,
                                    GError   **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "UPDATE invoices SET voided = ?1 WHERE id = ?2", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int (stmt, 1, voided ? 1 : 0);
  sqlite3_bind_int64 (stmt, 2, invoice_id);
  if (!step_done (self, stmt, _("Could not void the invoice"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_FOUND, _("No invoice with id %" PRId64), invoice_id);
      return FALSE;
    }
  return TRUE;
}

/* Staff */

/* yescrypt with libxcrypt's default cost; shared with cp-sqlite-staff.c */
char *
cp_sqlite_hash_password (const char  *password,
                         GError     **error)
{
  g_autofree char *setting = NULL;
  struct crypt_data *data;
  char *result = NULL;
  const char *out;

  errno = 0;
  setting = crypt_gensalt_ra ("$y$", 0, NULL, 0);
  if (setting == NULL)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_FAILED, "Could not make a password salt: %s", g_strerror (errno));
      return NULL;
    }

  data = g_new0 (struct crypt_data, 1);
  out = crypt_rn (password, setting, data, sizeof *data);
  if (out != NULL && out[0] != '*')
    result = g_strdup (out);
  else
    g_set_error_literal (error, CP_ERROR, CP_ERROR_FAILED, "Could not hash the password");
  explicit_bzero (data, sizeof *data);
  g_free (data);
  return result;
}

static gboolean
verify_password (const char *password,
                 const char *hash)
{
  struct crypt_data *data = g_new0 (struct crypt_data, 1);
  const char *out = crypt_rn (password, hash, data, sizeof *data);
  gboolean ok = FALSE;

  if (out != NULL && out[0] != '*')
    {
      size_t out_len = strlen (out);
      size_t hash_len = strlen (hash);
      unsigned char diff = out_len != hash_len;

      /* Constant time over the stored hash */
      for (size_t i = 0; i < hash_len; i++)
        diff |= (unsigned char) (i < out_len ? out[i] : 0) ^ (unsigned char) hash[i];
      ok = diff == 0;
    }

  explicit_bzero (data, sizeof *data);
  g_free (data);
  return ok;
}

static gboolean
cp_sqlite_store_create_staff (CpStore     *store,
                              const char  *username,
                              const char  *display_name,
                              CpRole       role,
                              const char  *password,
                              GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  g_autofree char *hash = NULL;

  if (*username == '\0' || *password == '\0' || cp_role_to_string (role) == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("A staff account needs a username, a password and a role"));
      return FALSE;
    }

  /* Hash before taking the lock: yescrypt is deliberately slow */
  hash = cp_sqlite_hash_password (password, error);
  if (hash == NULL)
    return FALSE;

  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  {
    CP_SQLITE_LOCK (self);
    g_autoptr(sqlite3_stmt) stmt = prepare (self,
                                            "INSERT INTO staff (username, display_name, role, password_hash, active) "
                                            "VALUES (?1, ?2, ?3, ?4, 1)", error);
    if (stmt == NULL)
      return FALSE;

    cp_sqlite_bind_text (stmt, 1, username);
    cp_sqlite_bind_text (stmt, 2, display_name ? display_name : username);
    cp_sqlite_bind_text (stmt, 3, cp_role_to_string (role));
    cp_sqlite_bind_text (stmt, 4, hash);
    if (!step_done (self, stmt, _("Could not create the staff account"), error))
      {
        if (error != NULL && *error != NULL && (*error)->code == CP_ERROR_EXISTS)
          {
            g_clear_error (error);
            g_set_error (error, CP_ERROR, CP_ERROR_EXISTS, _("The username “%s” is taken"), username);
          }
        return FALSE;
      }
  }
  return TRUE;
}

CpStaff *
cp_sqlite_staff_from_row (sqlite3_stmt *stmt)
{
  CpStaff *staff = g_new0 (CpStaff, 1);
  CpRole role = CP_ROLE_CLERK;

  staff->id = sqlite3_column_int64 (stmt, 0);
  staff->username = cp_sqlite_col_text (stmt, 1);
  staff->display_name = cp_sqlite_col_text (stmt, 2);
  cp_role_from_string ((const char *) sqlite3_column_text (stmt, 3), &role);
  staff->role = role;
  staff->active = sqlite3_column_int (stmt, 4) != 0;
  return staff;
}

static CpStaff *
cp_sqlite_store_authenticate (CpStore     *store,
                              const char  *username,
                              const char  *password,
                              GError     **error)
{
  /* Unknown users still pay for one hash, so timing does not tell them apart */
  static const char dummy_hash[] = "$y$j9T$yp9lTvSZbwicGAVlUqY3B.$Wc64E.U5SCLBg7krpzB.q2dKIocmRmBOr9L5oQnhEg6";
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  g_autoptr(CpStaff) staff = NULL;
  g_autofree char *hash = NULL;

  if (username != NULL && password != NULL)
    {
      CP_SQLITE_LOCK (self);
      g_autoptr(sqlite3_stmt) stmt = prepare (self,
                                              "SELECT " STAFF_COLUMNS ", password_hash "
                                              "FROM staff WHERE username = ?1", error);
      gboolean has_row;

      if (stmt == NULL)
        return NULL;
      cp_sqlite_bind_text (stmt, 1, username);
      if (!step_row (self, stmt, &has_row, _("Could not sign in"), error))
        return NULL;
      if (has_row)
        {
          staff = cp_sqlite_staff_from_row (stmt);
          hash = cp_sqlite_col_text (stmt, 5);
        }
    }

  if (!verify_password (password ? password : "", hash ? hash : dummy_hash) ||
      staff == NULL || !staff->active)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_AUTH, _("Wrong username or password"));
      return NULL;
    }

  return g_steal_pointer (&staff);
}

static GPtrArray *
cp_sqlite_store_list_staff (CpStore  *store,
                            GError  **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = prepare (self,
                                          "SELECT " STAFF_COLUMNS " FROM staff ORDER BY username", error);

  if (stmt == NULL)
    return NULL;
  return cp_sqlite_store_read_rows (self, stmt, (CpSqliteFromRow) cp_sqlite_staff_from_row,
                                    (GDestroyNotify) cp_staff_free, _("Could not list staff"), error);
}

/* Idempotency keys */

static char *
cp_sqlite_store_idempotency_key (CpStore     *store,
                                 const char  *operation,
                                 GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return NULL;
  CP_SQLITE_LOCK (self);
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *now = now_utc ();
  gboolean has_row;

  /* INSERT OR IGNORE then SELECT: another process may have raced us */
  {
    g_autoptr(sqlite3_stmt) stmt = prepare (self,
                                            "INSERT INTO idempotency_keys (operation, key, created_at) "
                                            "VALUES (?1, ?2, ?3) ON CONFLICT (operation) DO NOTHING", error);
    if (stmt == NULL)
      return NULL;
    cp_sqlite_bind_text (stmt, 1, operation);
    cp_sqlite_bind_text (stmt, 2, key);
    cp_sqlite_bind_text (stmt, 3, now);
    if (!step_done (self, stmt, _("Could not save an idempotency key"), error))
      return NULL;
  }

  {
    g_autoptr(sqlite3_stmt) stmt = prepare (self,
                                            "SELECT key FROM idempotency_keys WHERE operation = ?1", error);
    if (stmt == NULL)
      return NULL;
    cp_sqlite_bind_text (stmt, 1, operation);
    if (!step_row (self, stmt, &has_row, _("Could not read an idempotency key"), error))
      return NULL;
    g_assert (has_row);
    return cp_sqlite_col_text (stmt, 0);
  }
}

/* Audit log */

char *
cp_sqlite_audit_hash (const char *prev_hash,
                      const char *at,
                      gint64      staff_id,
                      const char *action,
                      const char *object,
                      const char *details)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  char staff[32];
  const char *fields[6];

  g_snprintf (staff, sizeof staff, "%" G_GINT64_FORMAT, staff_id);
  fields[0] = prev_hash;
  fields[1] = at;
  fields[2] = staff;
  fields[3] = action;
  fields[4] = object ? object : "";
  fields[5] = details ? details : "";

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      /* Unit separator between fields, so field boundaries count */
      if (i > 0)
        g_checksum_update (checksum, (const guchar *) "\x1f", 1);
      g_checksum_update (checksum, (const guchar *) fields[i], -1);
    }

  return g_strdup (g_checksum_get_string (checksum));
}

static gboolean
audit_append_locked (CpSqliteStore  *self,
                     gint64          staff_id,
                     const char     *action,
                     const char     *object,
                     const char     *details,
                     GError        **error)
{
  g_autofree char *prev = NULL;
  g_autofree char *at = now_utc ();
  g_autofree char *hash = NULL;
  gboolean has_row;

  {
    g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", error);
    if (stmt == NULL)
      return FALSE;
    if (!step_row (self, stmt, &has_row, _("Could not write the audit log"), error))
      return FALSE;
    prev = has_row ? cp_sqlite_col_text (stmt, 0) : g_strdup (CP_SQLITE_AUDIT_FIRST_PREV);
  }

  hash = cp_sqlite_audit_hash (prev, at, staff_id, action, object, details);

  {
    g_autoptr(sqlite3_stmt) stmt = prepare (self,
                                            "INSERT INTO audit_log (at, staff_id, action, object, details, prev_hash, hash) "
                                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
    if (stmt == NULL)
      return FALSE;
    cp_sqlite_bind_text (stmt, 1, at);
    sqlite3_bind_int64 (stmt, 2, staff_id);
    cp_sqlite_bind_text (stmt, 3, action);
    cp_sqlite_bind_text (stmt, 4, object);
    cp_sqlite_bind_text (stmt, 5, details);
    cp_sqlite_bind_text (stmt, 6, prev);
    cp_sqlite_bind_text (stmt, 7, hash);
    return step_done (self, stmt, _("Could not write the audit log"), error);
  }
}

static gboolean
cp_sqlite_store_audit_append (CpStore     *store,
                              gint64       staff_id,
                              const char  *action,
                              const char  *object,
                              const char  *details,
                              GError     **error)
{
  CpSqliteStore *self = CP_SQLITE_STORE (store);
  if (!cp_sqlite_store_wait_writable (self, error))
    return FALSE;
  CP_SQLITE_LOCK (self);

  /* Read the last hash and append in one write transaction, so two
   * processes cannot both chain onto the same entry */
  if (!cp_sqlite_store_begin (store, error))
    return FALSE;
  if (!audit_append_locked (self, staff_id, action, object, details, error))
    {
      cp_sqlite_store_rollback (store);
      return FALSE;
    }
  return cp_sqlite_store_commit (store, error);
}

gboolean
cp_sqlite_audit_verify (CpSqliteStore  *self,
                        gint64         *out_count,
                        GError        **error)
{
  CP_SQLITE_LOCK (self);
  g_autoptr(sqlite3_stmt) stmt = prepare (self,
                                          "SELECT id, at, staff_id, action, object, details, prev_hash, hash "
                                          "FROM audit_log ORDER BY id", error);
  g_autofree char *expected_prev = g_strdup (CP_SQLITE_AUDIT_FIRST_PREV);
  gint64 count = 0;
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  while (step_row (self, stmt, &has_row, "Could not read the audit log", error))
    {
      g_autofree char *hash = NULL;
      const char *prev = (const char *) sqlite3_column_text (stmt, 6);
      const char *stored = (const char *) sqlite3_column_text (stmt, 7);

      if (!has_row)
        {
          if (out_count != NULL)
            *out_count = count;
          return TRUE;
        }

      hash = cp_sqlite_audit_hash (prev,
                                   (const char *) sqlite3_column_text (stmt, 1),
                                   sqlite3_column_int64 (stmt, 2),
                                   (const char *) sqlite3_column_text (stmt, 3),
                                   (const char *) sqlite3_column_text (stmt, 4),
                                   (const char *) sqlite3_column_text (stmt, 5));
      if (g_strcmp0 (prev, expected_prev) != 0 || g_strcmp0 (hash, stored) != 0)
        {
          g_set_error (error, CP_ERROR, CP_ERROR_SIGNATURE,
                       "The audit log is broken at entry %" G_GINT64_FORMAT,
                       (gint64) sqlite3_column_int64 (stmt, 0));
          return FALSE;
        }
      g_free (expected_prev);
      expected_prev = g_strdup (stored);
      count++;
    }
  return FALSE;
}

/* Opening */

static gboolean
read_pragma_int (sqlite3     *db,
                 const char  *sql,
                 int         *out,
                 GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    cp_sqlite_set_error (db, sqlite3_extended_errcode (db), "Could not read the database", error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_OK;
}

/* Reads the journal mode without changing it */
static gboolean
journal_is_wal (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gboolean wal = FALSE;

  if (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
  sqlite3_finalize (stmt);
  return wal;
}

/* As sqlite3_busy_timeout (5 s) against other programs, but without a limit
 * while our own background check holds the write lock: a write that slipped
 * past cp_sqlite_store_wait_checked() waits for it rather than failing. */
static int
busy_cb (void *data,
         int   count)
{
  static const guint delays_ms[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };
  CpSqliteStore *self = data;
  guint waited_ms = 0;
  guint delay_ms;

  if (self->check != NULL && cp_sqlite_check_running (self->check))
    {
      g_usleep (2 * G_TIME_SPAN_MILLISECOND);
      return 1;
    }

  for (int i = 0; i < count; i++)
    waited_ms += delays_ms[MIN (i, (int) G_N_ELEMENTS (delays_ms) - 1)];
  if (waited_ms >= 5000)
    return 0;
  delay_ms = delays_ms[MIN (count, (int) G_N_ELEMENTS (delays_ms) - 1)];
  g_usleep (MIN (delay_ms, 5000 - waited_ms) * G_TIME_SPAN_MILLISECOND);
  return 1;
}

static gboolean
not_a_database (const char  *path,
                const char  *why,
                GError     **error)
{
  g_set_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE, _("%s is not a CarePay database: %s"), path, why);
  return FALSE;
}

/* Looks at the file before SQLite touches it. TRUE with *is_empty for a
 * zero-length file (a CarePay database whose creation was interrupted). */
static gboolean
check_file_header (const char  *path,
                   gboolean    *is_empty,
                   GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  char header[16];
  GStatBuf st;
  int fd;
  gssize n;

  *is_empty = FALSE;
  if (g_stat (path, &st) != 0)
    return not_a_database (path, g_strerror (errno), error);
  if (!S_ISREG (st.st_mode))
    return not_a_database (path, _("not a regular file"), error);
  if (st.st_size == 0)
    {
      *is_empty = TRUE;
      return TRUE;
    }

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return not_a_database (path, g_strerror (errno), error);
  n = read (fd, header, sizeof header);
  close (fd);

  if (n != (gssize) sizeof header || memcmp (header, magic, sizeof magic) != 0)
    return not_a_database (path, _("not an SQLite file"), error);
  return TRUE;
}

static gboolean
create_file (const char  *path,
             GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, CP_ERROR, CP_ERROR_DATABASE, _("Could not create %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CP_ERROR, CP_ERROR_DATABASE, _("Could not create %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  /* The umask may have been stricter than 0600 but never looser: make it exact */
  if (fchmod (fd, 0600) != 0)
    g_debug ("fchmod %s: %s", path, g_strerror (errno));
  close (fd);
  return TRUE;
}

/* SQLite calls this every few thousand steps of the reader's queries: it
 * waits there while the store's reads are paused. */
static int
reader_progress_cb (void *data)
{
  CpSqliteStore *writer = data;

  if (!g_atomic_int_get (&writer->paused))
    return 0;
  g_mutex_lock (&writer->pause_mutex);
  while (writer->paused_until > g_get_monotonic_time ())
    g_cond_wait_until (&writer->pause_cond, &writer->pause_mutex, writer->paused_until);
  writer->paused_until = 0;
  g_atomic_int_set (&writer->paused, FALSE);
  g_mutex_unlock (&writer->pause_mutex);
  return 0;
}

void
cp_sqlite_store_pause_reads (CpSqliteStore *self,
                             guint          ms)
{
  g_return_if_fail (CP_IS_SQLITE_STORE (self));

  g_mutex_lock (&self->pause_mutex);
  self->paused_until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
  g_atomic_int_set (&self->paused, TRUE);
  g_mutex_unlock (&self->pause_mutex);
}

void
cp_sqlite_store_resume_reads (CpSqliteStore *self)
{
  g_return_if_fail (CP_IS_SQLITE_STORE (self));

  g_mutex_lock (&self->pause_mutex);
  self->paused_until = 0;
  g_cond_broadcast (&self->pause_cond);
  g_mutex_unlock (&self->pause_mutex);
}

/* The write-lock probe's busy handler and connection (wait_for_write_lock) */
static int
probe_busy_cb (void *data,
               int   count)
{
  CpSqliteStore *self = data;

  if (g_atomic_int_get (&self->tx_depth) > 0)
    return 0;
  return busy_cb (data, count);
}

static sqlite3 *
open_probe (CpSqliteStore *self)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (self->path, &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);

  if (rc != SQLITE_OK)
    {
      g_debug ("No write-lock probe on %s: %s", self->path, sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_handler (db, probe_busy_cb, self);
  return db;
}

/* The twin of a writable store that reads every invoice (cp_sqlite_store_list_invoices).
 * NULL if it cannot be opened: the main connection then does it all. */
static CpSqliteStore *
open_reader (CpSqliteStore *writer)
{
  g_autoptr(CpSqliteStore) self = g_object_new (CP_TYPE_SQLITE_STORE, NULL);
  int rc;

  self->path = g_strdup (writer->path);
  self->read_only = TRUE;
  self->schema_version = writer->schema_version;
  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK)
    {
      g_debug ("No reading connection to %s: %s", self->path, sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_handler (self->db, busy_cb, self);
  /* The writer outlives it (it closes it first) */
  sqlite3_progress_handler (self->db, 4096, reader_progress_cb, writer);
  /* As open_internal's, with a smaller cache: it only scans */
  sqlite3_exec (self->db, "PRAGMA cache_size = -1024; PRAGMA mmap_size = 0; "
                "PRAGMA temp_store = MEMORY; PRAGMA query_only = ON", NULL, NULL, NULL);
  return g_steal_pointer (&self);
}

static CpSqliteStore *
open_internal (const char         *path,
               CpSqliteOpenFlags   flags,
               int                 target_version,
               GError            **error)
{
  g_autoptr(CpSqliteStore) self = NULL;
  gboolean read_only = (flags & CP_SQLITE_OPEN_READ_ONLY) != 0;
  gboolean created = FALSE;
  gboolean is_empty = FALSE;
  int app_id = 0, version = 0, n_objects = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!(flags & CP_SQLITE_OPEN_CREATE) || read_only)
        {
          g_set_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE, _("No database at %s"), path);
          return NULL;
        }
      if (!create_file (path, error))
        return NULL;
      created = TRUE;
    }
  else if (!check_file_header (path, &is_empty, error))
    return NULL;

  if (is_empty && (!(flags & CP_SQLITE_OPEN_CREATE) || read_only))
    {
      not_a_database (path, _("the file is empty"), error);
      return NULL;
    }

  self = g_object_new (CP_TYPE_SQLITE_STORE, NULL);
  self->path = g_strdup (path);
  self->read_only = read_only;

  rc = sqlite3_open_v2 (path, &self->db,
                        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                        SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW,
                        NULL);
  if (rc != SQLITE_OK)
    {
      if (self->db != NULL)
        cp_sqlite_set_error (self->db, rc, _("Could not open the database"), error);
      else
        g_set_error (error, CP_ERROR, CP_ERROR_DATABASE, "%s", sqlite3_errstr (rc));
      if (created)
        g_unlink (path);
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_handler (self->db, busy_cb, self);
  /* A 4 MiB page cache and no memory map: reading a 100,000-invoice file
   * through a map or a big cache would keep it in the app's resident memory,
   * and the kernel's page cache serves re-reads about as fast (seeding
   * 100,000 invoices: 6.5 s with 16 MiB, 6.8 s with 4 MiB). */
  sqlite3_exec (self->db, "PRAGMA cache_size = -4096; PRAGMA mmap_size = 0; "
                "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);

  /* Read-only checks first: a refused file must stay byte-identical */
  if (!read_pragma_int (self->db, "PRAGMA application_id", &app_id, error) ||
      !read_pragma_int (self->db, "PRAGMA user_version", &version, error) ||
      !read_pragma_int (self->db, "SELECT count(*) FROM sqlite_master", &n_objects, error))
    {
      if (error != NULL && *error != NULL)
        {
          g_autofree char *msg = g_strdup ((*error)->message);
          g_clear_error (error);
          not_a_database (path, msg, error);
        }
      return NULL;
    }

  if (app_id != CP_SQLITE_APPLICATION_ID && !(app_id == 0 && version == 0 && n_objects == 0))
    {
      not_a_database (path, _("it belongs to another program"), error);
      return NULL;
    }

  if (version > CP_SQLITE_SCHEMA_VERSION)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE,
                   _("%s was written by a newer CarePay (schema %d; this version reads up to %d)"),
                   path, version, CP_SQLITE_SCHEMA_VERSION);
      return NULL;
    }

  /* A damaged file is refused before anything is written to it. Checking
   * takes a while on a big file (0.3 s for 100,000 invoices), so a file that
   * needs no upgrade can be read at once while a thread checks it and holds
   * its write lock; writers wait (cp_sqlite_store_wait_checked). */
  if (n_objects > 0 && (flags & CP_SQLITE_OPEN_CHECK_IN_BACKGROUND) && !read_only &&
      version == target_version && journal_is_wal (self->db))
    self->check = cp_sqlite_check_start (path, NULL);
  if (n_objects > 0 && self->check == NULL && !cp_sqlite_integrity_check (self->db, path, TRUE, error))
    return NULL;

  if (read_only)
    {
      if (version < CP_SQLITE_SCHEMA_VERSION)
        {
          g_set_error (error, CP_ERROR, CP_ERROR_NOT_A_DATABASE,
                       _("%s has schema %d and needs an upgrade; open it once for writing"),
                       path, version);
          return NULL;
        }
      if (!exec_sql (self, "PRAGMA foreign_keys = ON; PRAGMA query_only = ON", _("Could not open the database"), error))
        return NULL;
      self->schema_version = version;
      return g_steal_pointer (&self);
    }

  if (target_version < version)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   "%s is at schema %d, past the requested %d", path, version, target_version);
      return NULL;
    }

  {
    sqlite3_stmt *stmt = NULL;
    gboolean wal = FALSE;

    if (!exec_sql (self, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL", _("Could not open the database"), error))
      return NULL;
    if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step (stmt) == SQLITE_ROW)
      wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
    sqlite3_finalize (stmt);
    if (!wal)
      {
        cp_sqlite_set_error (self->db, sqlite3_extended_errcode (self->db),
                             _("Could not switch the database to WAL journaling"), error);
        return NULL;
      }
  }

  if (!cp_sqlite_migrate (self->db, version, target_version, error))
    return NULL;

  self->schema_version = MAX (version, target_version);
  /* WAL (above) lets it read while the main connection writes */
  self->reader = open_reader (self);
  if (!read_only)
    self->probe = open_probe (self);
  return g_steal_pointer (&self);
}

CpSqliteStore *
cp_sqlite_store_open (const char         *path,
                      CpSqliteOpenFlags   flags,
                      GError            **error)
{
  return open_internal (path, flags, CP_SQLITE_SCHEMA_VERSION, error);
}

CpSqliteStore *
cp_sqlite_store_open_at_version (const char  *path,
                                 int          version,
                                 GError     **error)
{
  g_return_val_if_fail (version >= 0 && version <= CP_SQLITE_SCHEMA_VERSION, NULL);

  return open_internal (path, CP_SQLITE_OPEN_CREATE, version, error);
}

int
cp_sqlite_store_get_schema_version (CpSqliteStore *self)
{
  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), 0);
  return self->schema_version;
}

/* Another program's write (carepayctl importing, a second CarePay) holds the
 * file's write lock: a writer here would wait for it (busy_cb, up to 5 s)
 * holding the store, and every other call, reads included, with it. So the
 * writer first waits on a connection of its own that takes the write lock
 * and gives it back at once. A wait for this process's own transaction
 * stops there, to go on waiting for it on the store's lock as before. */
static gboolean
wait_for_write_lock (CpSqliteStore  *self,
                     GError        **error)
{
  int rc;

  /* Inside its own transaction this thread has the lock already. */
  if (self->probe == NULL || in_own_transaction (self))
    return TRUE;
  g_mutex_lock (&self->probe_mutex);
  rc = sqlite3_exec (self->probe, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    sqlite3_exec (self->probe, "ROLLBACK", NULL, NULL, NULL);
  else if ((rc & 0xff) == SQLITE_BUSY && g_atomic_int_get (&self->tx_depth) > 0)
    rc = SQLITE_OK;
  else
    cp_sqlite_set_error (self->probe, rc, "Could not start a transaction", error);
  g_mutex_unlock (&self->probe_mutex);
  return rc == SQLITE_OK;
}

gboolean
cp_sqlite_store_wait_checked (CpSqliteStore  *self,
                              GError        **error)
{
  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), FALSE);

  return self->check == NULL || cp_sqlite_check_wait (self->check, error);
}

gboolean
cp_sqlite_store_wait_writable (CpSqliteStore  *self,
                               GError        **error)
{
  return cp_sqlite_store_wait_checked (self, error) && wait_for_write_lock (self, error);
}

static gpointer
wait_checked_func (CpSqliteStore *self, gpointer data, GCancellable *cancellable, GError **error)
{
  return cp_sqlite_store_wait_checked (self, error) ? self : NULL;
}

void
cp_sqlite_store_wait_checked_async (CpSqliteStore       *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (CP_IS_SQLITE_STORE (self));
  cp_thread_call_run (self, cp_sqlite_store_wait_checked_async, CP_THREAD_CALL_DEFAULT,
                      (CpThreadFunc) wait_checked_func, NULL, NULL, NULL,
                      cancellable, callback, user_data);
}

gboolean
cp_sqlite_store_wait_checked_finish (CpSqliteStore  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return cp_thread_call_finish_boolean (self, result, cp_sqlite_store_wait_checked_async, error);
}

const char *
cp_sqlite_store_get_path (CpSqliteStore *self)
{
  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), NULL);
  return self->path;
}

sqlite3 *
cp_sqlite_store_get_connection (CpSqliteStore *self)
{
  g_return_val_if_fail (CP_IS_SQLITE_STORE (self), NULL);
  return self->db;
}

/* GObject */

static void
cp_sqlite_store_finalize (GObject *object)
{
  CpSqliteStore *self = (CpSqliteStore *) object;

  if (self->tx_depth > 0)
    g_critical ("CpSqliteStore finalized inside a transaction");

  g_clear_pointer (&self->statements, g_hash_table_unref);
  /* The other connections first: the last one to close checkpoints */
  g_clear_object (&self->reader);
  g_clear_pointer (&self->probe, sqlite3_close);
  g_clear_pointer (&self->check, cp_sqlite_check_free);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_free (self->path);
  g_rec_mutex_clear (&self->lock);
  g_mutex_clear (&self->pause_mutex);
  g_cond_clear (&self->pause_cond);
  g_mutex_clear (&self->probe_mutex);

  G_OBJECT_CLASS (cp_sqlite_store_parent_class)->finalize (object);
}

static void
cp_sqlite_store_class_init (CpSqliteStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_sqlite_store_finalize;
}

static void
cp_sqlite_store_init (CpSqliteStore *self)
{
  g_rec_mutex_init (&self->lock);
  g_mutex_init (&self->pause_mutex);
  g_cond_init (&self->pause_cond);
  g_mutex_init (&self->probe_mutex);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            stmt_finalize);
}

static void
cp_sqlite_store_iface_init (CpStoreInterface *iface)
{
  iface->begin = cp_sqlite_store_begin;
  iface->commit = cp_sqlite_store_commit;
  iface->rollback = cp_sqlite_store_rollback;
  iface->get_meta = cp_sqlite_store_get_meta;
  iface->set_meta = cp_sqlite_store_set_meta;
  iface->get_data_version = cp_sqlite_store_get_data_version;
  iface->save_patient = cp_sqlite_store_save_patient;
  iface->get_patient = cp_sqlite_store_get_patient;
  iface->get_patient_by_mrn = cp_sqlite_store_get_patient_by_mrn;
  iface->list_patients = cp_sqlite_store_list_patients;
  iface->create_invoice = cp_sqlite_store_create_invoice;
  iface->get_invoice = cp_sqlite_store_get_invoice;
  iface->get_invoice_by_number = cp_sqlite_store_get_invoice_by_number;
  iface->list_invoices = cp_sqlite_store_list_invoices;
  iface->next_invoice_number = cp_sqlite_store_next_invoice_number;
  iface->set_invoice_voided = cp_sqlite_store_set_invoice_voided;
  iface->create_staff = cp_sqlite_store_create_staff;
  iface->authenticate = cp_sqlite_store_authenticate;
  iface->list_staff = cp_sqlite_store_list_staff;
  iface->idempotency_key = cp_sqlite_store_idempotency_key;
  iface->audit_append = cp_sqlite_store_audit_append;
  cp_sqlite_ledger_iface_init (iface);
  cp_sqlite_import_iface_init (iface);
  cp_sqlite_mail_iface_init (iface);
  cp_sqlite_staff_iface_init (iface);
  cp_sqlite_report_iface_init (iface);
  cp_sqlite_totals_iface_init (iface);
}
