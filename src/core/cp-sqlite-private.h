/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "cp-sqlite-store.h"

G_BEGIN_DECLS

/* PRAGMA application_id of a CarePay database: "CPAY" in ASCII. */
#define CP_SQLITE_APPLICATION_ID 0x43504159

/* Fills `error` with CP_ERROR_DATABASE (or a more precise code for
 * constraint and file-format failures) from the connection's last error. */
void     cp_sqlite_set_error  (sqlite3     *db,
                               int          rc,
                               const char  *what,
                               GError     **error);

/* Runs the migration steps from `from_version` + 1 up to `to_version` in one
 * transaction and sets user_version and application_id. */
gboolean cp_sqlite_migrate    (sqlite3     *db,
                               int          from_version,
                               int          to_version,
                               GError     **error);

/* The audit log chain: hash = SHA-256 hex of prev_hash, at, staff_id,
 * action, object and details joined with U+001F; the first entry's
 * prev_hash is 64 zeros (CP_SQLITE_AUDIT_FIRST_PREV). */
#define CP_SQLITE_AUDIT_FIRST_PREV "0000000000000000000000000000000000000000000000000000000000000000"

char    *cp_sqlite_audit_hash (const char  *prev_hash,
                               const char  *at,
                               gint64       staff_id,
                               const char  *action,
                               const char  *object,
                               const char  *details);
/* Walks the chain; CP_ERROR_SIGNATURE at the first entry that does not verify. */
gboolean cp_sqlite_audit_verify (CpSqliteStore  *self,
                                 gint64         *out_count,
                                 GError        **error);

sqlite3 *cp_sqlite_store_get_connection (CpSqliteStore *self);

/* cp-sqlite-backup.c: PRAGMA quick_check (or integrity_check); a damaged
 * file fails with CP_ERROR_NOT_A_DATABASE and a message naming `path`. */
gboolean cp_sqlite_integrity_check (sqlite3     *db,
                                    const char  *path,
                                    gboolean     quick,
                                    GError     **error);

/* Shared by the files of the store: cached statements, released (reset, not
 * finalized) when they go out of scope. Take the lock around their use. */
static inline void
cp_sqlite_stmt_release (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, cp_sqlite_stmt_release)

/* Binds `text` (copied), or SQL NULL when it is NULL. */
static inline void
cp_sqlite_bind_text (sqlite3_stmt *stmt,
                     int           idx,
                     const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
}

/* A copy of the column's text, NULL for SQL NULL. */
static inline char *
cp_sqlite_col_text (sqlite3_stmt *stmt,
                    int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

/* A row of a per-invoice aggregate: "SELECT invoice_id, SUM(...)[, flag]
 * ... GROUP BY invoice_id ORDER BY invoice_id". */
typedef struct {
  gint64 invoice_id;
  gint64 value;
  gint64 flag;   /* the third column, 0 without one */
} CpSqliteSum;

/* The rows of such a query (its ?1, if it has one, bound to `param`), in
 * invoice_id order; `what` heads the error. */
GArray            *cp_sqlite_store_read_sums (CpSqliteStore  *self,
                                              const char     *sql,
                                              const char     *param,
                                              const char     *what,
                                              GError        **error);
/* The row of `invoice_id` in `sums` (binary search), or NULL. */
const CpSqliteSum *cp_sqlite_sums_find       (GArray         *sums,
                                              gint64          invoice_id);

sqlite3_stmt *cp_sqlite_store_prepare   (CpSqliteStore  *self,
                                         const char     *sql,   /* static string: the cache key */
                                         GError        **error);
gboolean      cp_sqlite_store_step_row  (CpSqliteStore  *self,
                                         sqlite3_stmt   *stmt,
                                         gboolean       *has_row,
                                         const char     *what,
                                         GError        **error);
gboolean      cp_sqlite_store_step_done (CpSqliteStore  *self,
                                         sqlite3_stmt   *stmt,
                                         const char     *what,
                                         GError        **error);

/* Steps the bound `stmt` to its end: a new array of one from_row() record a
 * row (freed by `free_func`), or NULL with `error` set (`what` failed). */
typedef gpointer (*CpSqliteFromRow) (sqlite3_stmt *stmt);

static inline GPtrArray *
cp_sqlite_store_read_rows (CpSqliteStore    *self,
                           sqlite3_stmt     *stmt,
                           CpSqliteFromRow   from_row,
                           GDestroyNotify    free_func,
                           const char       *what,
                           GError          **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  gboolean has_row;

  while (cp_sqlite_store_step_row (self, stmt, &has_row, what, error))
    {
      if (!has_row)
        return g_steal_pointer (&rows);
      g_ptr_array_add (rows, from_row (stmt));
    }
  return NULL;
}

/* Saves the invoice's line items in their order and sets their id,
 * invoice_id and position. */
gboolean      cp_sqlite_store_insert_line_items (CpSqliteStore  *self,
                                                 gint64          invoice_id,
                                                 GPtrArray      *line_items,
                                                 GError        **error);
GRecMutex    *cp_sqlite_store_get_lock  (CpSqliteStore  *self);
/* Every write calls it before taking the store: waits for the background
 * integrity check (cp_sqlite_store_wait_checked), then, outside this
 * thread's own transaction, for another program's write lock without
 * holding the store (up to 5 s, as the write would). */
gboolean      cp_sqlite_store_wait_writable (CpSqliteStore  *self,
                                             GError        **error);

/* The store's one connection is shared by its threads: every method holds
 * the store's lock while it uses it, readers too. A method that writes
 * calls cp_sqlite_store_wait_checked() first, before taking the lock: a
 * background integrity check (CP_SQLITE_OPEN_CHECK_IN_BACKGROUND) holds the
 * file's write lock, and a writer waiting for it inside the store's lock
 * would hold up every reader meanwhile. */
#define CP_SQLITE_LOCK(self) \
  g_autoptr(GRecMutexLocker) G_GNUC_UNUSED _locker = g_rec_mutex_locker_new (cp_sqlite_store_get_lock (self))
char         *cp_sqlite_now_utc         (void);

#define PAYMENT_COLUMNS \
  "id, invoice_id, stripe_payment_intent_id, stripe_charge_id, amount, currency, status, " \
  "card_brand, card_last4, failure_code, failure_message, receipt_url, channel, staff_id, " \
  "created_at, disputed, attempt_id, overpaid"
#define REFUND_COLUMNS \
  "id, invoice_id, payment_id, stripe_refund_id, amount, currency, status, reason, staff_id, " \
  "created_at, failure_reason"

CpPayment    *cp_sqlite_payment_from_row (sqlite3_stmt *stmt);
CpRefund     *cp_sqlite_refund_from_row  (sqlite3_stmt *stmt);
/* A row of STAFF_COLUMNS; a role it does not know is a clerk's, never admin. */
#define STAFF_COLUMNS "id, username, display_name, role, active"
CpStaff      *cp_sqlite_staff_from_row   (sqlite3_stmt *stmt);

/* cp-sqlite-ledger.c: the ledger methods of CpStore (schema v2). */
void          cp_sqlite_ledger_iface_init (CpStoreInterface *iface);
/* cp-sqlite-mail.c: the mail send log (schema v3). */
void          cp_sqlite_mail_iface_init   (CpStoreInterface *iface);
/* cp-sqlite-import.c: import, export and audit methods. */
void          cp_sqlite_import_iface_init (CpStoreInterface *iface);
/* cp-sqlite-staff.c: staff administration (role, active, password). */
void          cp_sqlite_staff_iface_init  (CpStoreInterface *iface);
/* cp-sqlite-report.c: the reports dashboard. */
void          cp_sqlite_report_iface_init (CpStoreInterface *iface);
/* cp-sqlite-totals.c: the invoice list's cards (get_totals, get_paid_this_month). */
void          cp_sqlite_totals_iface_init (CpStoreInterface *iface);

/* A yescrypt hash of `password` for the staff table. */
char *cp_sqlite_hash_password (const char  *password,
                               GError     **error);

/* cp-sqlite-search.c (schema v4): the folded search keys of patients and
 * invoices, the LIKE pattern of a typed search (folded the same way, "%" and
 * "_" literal; NULL for an empty search), and the migration step that fills
 * the keys of rows written before v4. */
char     *cp_sqlite_search_patient_key (const char  *mrn,
                                        const char  *given_name,
                                        const char  *family_name);
char     *cp_sqlite_search_invoice_key (const char  *number);
char     *cp_sqlite_search_pattern      (const char  *search);
gboolean  cp_sqlite_search_fill         (sqlite3     *db,
                                         GError     **error);

G_END_DECLS
