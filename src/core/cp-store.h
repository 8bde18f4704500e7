/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-records.h"
#include "cp-mail-log.h"
#include "cp-audit.h"
#include "cp-report.h"

G_BEGIN_DECLS

/* The store is the only place that knows SQL. The app, carepayctl, sync and
 * the tests talk to this interface; CpSqliteStore implements it today and a
 * PostgreSQL store for multi-desk sites can implement it later. Every method
 * is safe to call from any thread (the *_async helpers run them in a worker). */

#define CP_TYPE_STORE (cp_store_get_type ())
G_DECLARE_INTERFACE (CpStore, cp_store, CP, STORE, GObject)

typedef struct {
  int          status;     /* a CpInvoiceStatus, or -1 for every status */
  const char  *search;     /* matches invoice number, patient name or MRN; NULL for all */
  gint64       patient_id; /* 0 for all patients */
  int          limit;      /* 0 for no limit */
} CpInvoiceQuery;

#define CP_INVOICE_QUERY_INIT { -1, NULL, 0, 0 }

struct _CpStoreInterface
{
  GTypeInterface parent_iface;

  /* Whole-store */
  gboolean          (*begin)                (CpStore *self, GError **error);
  gboolean          (*commit)               (CpStore *self, GError **error);
  void              (*rollback)             (CpStore *self);
  char             *(*get_meta)             (CpStore *self, const char *key);
  gboolean          (*set_meta)             (CpStore *self, const char *key, const char *value, GError **error);
  gboolean          (*get_data_version)     (CpStore *self, guint64 *out_version, GError **error);

  /* Patients */
  gboolean          (*save_patient)         (CpStore *self, CpPatient *patient, GError **error);
  CpPatient        *(*get_patient)          (CpStore *self, gint64 id, GError **error);
  CpPatient        *(*get_patient_by_mrn)   (CpStore *self, const char *mrn, GError **error);
  GPtrArray        *(*list_patients)        (CpStore *self, const char *search, guint limit, GError **error);

  /* Invoices */
  gboolean          (*create_invoice)       (CpStore *self, CpInvoice *invoice, GError **error);
  CpInvoice        *(*get_invoice)          (CpStore *self, gint64 id, GError **error);
  CpInvoice        *(*get_invoice_by_number)(CpStore *self, const char *number, GError **error);
  GPtrArray        *(*list_invoices)        (CpStore *self, const CpInvoiceQuery *query, GError **error);
  gboolean          (*get_totals)           (CpStore *self, CpInvoiceTotals *out, GError **error);
  /* Only the currency and paid_this_month(_count) of the totals */
  gboolean          (*get_paid_this_month)  (CpStore *self, CpInvoiceTotals *out, GError **error);
  char             *(*next_invoice_number)  (CpStore *self, GError **error);
  gboolean          (*set_invoice_voided)   (CpStore *self, gint64 invoice_id, gboolean voided, GError **error);

  /* Ledger: idempotent by Stripe id; recording the same object again updates it */
  gboolean          (*record_payment)       (CpStore *self, CpPayment *payment, GError **error);
  gboolean          (*record_refund)        (CpStore *self, CpRefund *refund, GError **error);

  /* Staff */
  gboolean          (*create_staff)         (CpStore *self, const char *username, const char *display_name,
                                             CpRole role, const char *password, GError **error);
  CpStaff          *(*authenticate)         (CpStore *self, const char *username, const char *password,
                                             GError **error);
  GPtrArray        *(*list_staff)           (CpStore *self, GError **error);

  /* Idempotency keys for Stripe POSTs: the key for `operation` is created and
   * committed before it is first returned, and the same key is returned for
   * that operation ever after (also after a restart). */
  char             *(*idempotency_key)      (CpStore *self, const char *operation, GError **error);

  /* Audit log: append-only and hash-chained. */
  gboolean          (*audit_append)         (CpStore *self, gint64 staff_id, const char *action,
                                             const char *object, const char *details, GError **error);

  /* Ledger, schema v2 (the ledger and sync use these) */
  CpPayment        *(*get_payment_by_intent)(CpStore *self, const char *payment_intent_id, GError **error);
  GPtrArray        *(*list_payments)        (CpStore *self, gint64 invoice_id, GError **error);
  GPtrArray        *(*list_refunds)         (CpStore *self, gint64 invoice_id, GError **error);
  gboolean          (*event_applied)        (CpStore *self, const char *event_id, GError **error);
  gboolean          (*mark_event_applied)   (CpStore *self, const char *event_id, const char *type,
                                             GError **error);
  gboolean          (*save_payment_link)    (CpStore *self, CpPaymentLink *link, GError **error);
  CpPaymentLink    *(*get_active_payment_link) (CpStore *self, gint64 invoice_id, GError **error);
  GPtrArray        *(*list_payment_links)   (CpStore *self, gint64 invoice_id, GError **error);
  gboolean          (*revoke_payment_link)  (CpStore *self, const char *link_id, const char *reason,
                                             GError **error);

  /* Staff administration (preferences) by the account actor_id, which the
   * store checks and audits with the change (cp-sqlite-staff.c) */
  gboolean          (*set_staff_role)       (CpStore *self, gint64 actor_id, gint64 staff_id, CpRole role,
                                             GError **error);
  gboolean          (*set_staff_active)     (CpStore *self, gint64 actor_id, gint64 staff_id, gboolean active,
                                             GError **error);
  gboolean          (*set_staff_password)   (CpStore *self, gint64 actor_id, gint64 staff_id,
                                             const char *password, GError **error);
  gboolean          (*add_staff)            (CpStore *self, gint64 actor_id, const char *username,
                                             const char *display_name, CpRole role, const char *password,
                                             GError **error);
  gboolean          (*require_admin)        (CpStore *self, gint64 actor_id, const char *asked,
                                             const char *object, GError **error);

  /* Mail send log, schema v3 (cp-mail.c, cp-reminders.c) */
  gboolean          (*save_mail_log)        (CpStore *self, CpMailLogEntry *entry, GError **error);
  GPtrArray        *(*list_mail_log)        (CpStore *self, gint64 invoice_id, const char *kind,
                                             GError **error);

  /* Import, export and audit (cp-sqlite-import.c) */
  gboolean          (*import_invoice)       (CpStore *self, CpInvoice *invoice, gboolean *out_created,
                                             GError **error);
  GPtrArray        *(*list_payments_between)(CpStore *self, const char *from, const char *to, GError **error);
  GPtrArray        *(*list_refunds_between) (CpStore *self, const char *from, const char *to, GError **error);
  GPtrArray        *(*list_audit)           (CpStore *self, const char *since, const char *action,
                                             GError **error);
  GPtrArray        *(*audit_check)          (CpStore *self, gint64 *out_count, GError **error);

  /* Reports dashboard (cp-sqlite-report.c) */
  gboolean          (*fill_report)          (CpStore *self, CpReport *report, GError **error);
};

gboolean          cp_store_begin                 (CpStore *self, GError **error);
gboolean          cp_store_commit                (CpStore *self, GError **error);
void              cp_store_rollback              (CpStore *self);
/* A number that changes when another program commits to the database; this
 * store's own writes leave it. Equal numbers: nothing changed meanwhile. */
gboolean          cp_store_get_data_version      (CpStore *self, guint64 *out_version, GError **error);
char             *cp_store_get_meta              (CpStore *self, const char *key);
gboolean          cp_store_set_meta              (CpStore *self, const char *key, const char *value, GError **error);
gboolean          cp_store_save_patient          (CpStore *self, CpPatient *patient, GError **error);
CpPatient        *cp_store_get_patient           (CpStore *self, gint64 id, GError **error);
CpPatient        *cp_store_get_patient_by_mrn    (CpStore *self, const char *mrn, GError **error);
/* Patients whose name, MRN or e-mail contains `search` (NULL: every patient),
 * by family and given name; at most `limit` of them (0: no limit). */
GPtrArray        *cp_store_list_patients         (CpStore *self, const char *search, guint limit, GError **error);
gboolean          cp_store_create_invoice        (CpStore *self, CpInvoice *invoice, GError **error);
CpInvoice        *cp_store_get_invoice           (CpStore *self, gint64 id, GError **error);
CpInvoice        *cp_store_get_invoice_by_number (CpStore *self, const char *number, GError **error);
GPtrArray        *cp_store_list_invoices         (CpStore *self, const CpInvoiceQuery *query, GError **error);
gboolean          cp_store_get_totals            (CpStore *self, CpInvoiceTotals *out, GError **error);
/* The figures of cp_store_get_totals() that need no invoice: the currency
 * and paid_this_month(_count); the others are zero. With an index of the
 * invoices, cp_invoice_index_add_open_totals() fills those. */
gboolean          cp_store_get_paid_this_month   (CpStore *self, CpInvoiceTotals *out, GError **error);
/* Counts an invoice of the totals' currency with `status` and `balance_due`
 * in outstanding and overdue, as cp_store_get_totals() does. */
gboolean          cp_invoice_totals_add_open     (CpInvoiceTotals *totals, CpInvoiceStatus status,
                                                  gint64 balance_due, GError **error);
char             *cp_store_next_invoice_number   (CpStore *self, GError **error);
gboolean          cp_store_set_invoice_voided    (CpStore *self, gint64 invoice_id, gboolean voided, GError **error);
gboolean          cp_store_record_payment        (CpStore *self, CpPayment *payment, GError **error);
gboolean          cp_store_record_refund         (CpStore *self, CpRefund *refund, GError **error);
gboolean          cp_store_create_staff          (CpStore *self, const char *username, const char *display_name,
                                                  CpRole role, const char *password, GError **error);
CpStaff          *cp_store_authenticate          (CpStore *self, const char *username, const char *password,
                                                  GError **error);
GPtrArray        *cp_store_list_staff            (CpStore *self, GError **error);
char             *cp_store_idempotency_key       (CpStore *self, const char *operation, GError **error);
gboolean          cp_store_audit_append          (CpStore *self, gint64 staff_id, const char *action,
                                                  const char *object, const char *details, GError **error);

/* Ledger (schema v2). get_payment_by_intent: CP_ERROR_NOT_FOUND when there
 * is none. list_*: invoice_id 0 for every invoice, oldest first.
 * event_applied: whether mark_event_applied saw that event id (FALSE with
 * `error` set on failure). get_active_payment_link: NULL without an error
 * when the invoice has no active link. */
CpPayment        *cp_store_get_payment_by_intent (CpStore *self, const char *payment_intent_id, GError **error);
GPtrArray        *cp_store_list_payments         (CpStore *self, gint64 invoice_id, GError **error);
GPtrArray        *cp_store_list_refunds          (CpStore *self, gint64 invoice_id, GError **error);
gboolean          cp_store_event_applied         (CpStore *self, const char *event_id, GError **error);
gboolean          cp_store_mark_event_applied    (CpStore *self, const char *event_id, const char *type,
                                                  GError **error);
gboolean          cp_store_save_payment_link     (CpStore *self, CpPaymentLink *link, GError **error);
CpPaymentLink    *cp_store_get_active_payment_link (CpStore *self, gint64 invoice_id, GError **error);
GPtrArray        *cp_store_list_payment_links    (CpStore *self, gint64 invoice_id, GError **error);
gboolean          cp_store_revoke_payment_link   (CpStore *self, const char *link_id, const char *reason,
                                                  GError **error);

/* Staff administration, done by `actor`: only an account that is an active
 * administrator in the database (its row, not the copy passed in) may; anyone
 * else (or NULL) gets CP_ERROR_PERMISSION. Demoting or deactivating the last
 * active administrator is refused with CP_ERROR_PERMISSION too, checked in
 * the transaction of the change. The store writes the audit entry in that
 * transaction: "staff.create" (details: the role), "staff.role" (the new
 * role), "staff.activate", "staff.deactivate", "staff.password", object
 * "staff:USERNAME"; a refusal is audited as "staff.refused" with what was
 * asked and why in details. CP_ERROR_NOT_FOUND for an unknown id; an inactive
 * account cannot sign in. (cp_store_create_staff() is for provisioning:
 * seeding and first set-up, with no actor.) */
gboolean          cp_store_add_staff             (CpStore *self, const CpStaff *actor, const char *username,
                                                  const char *display_name, CpRole role, const char *password,
                                                  GError **error);
gboolean          cp_store_set_staff_role        (CpStore *self, const CpStaff *actor, gint64 staff_id,
                                                  CpRole role, GError **error);
gboolean          cp_store_set_staff_active      (CpStore *self, const CpStaff *actor, gint64 staff_id,
                                                  gboolean active, GError **error);
gboolean          cp_store_set_staff_password    (CpStore *self, const CpStaff *actor, gint64 staff_id,
                                                  const char *password, GError **error);
/* For other changes only administrators may make (the preferences): TRUE
 * when `actor` is an active administrator in the database; otherwise
 * CP_ERROR_PERMISSION, audited as "AREA.refused" (AREA: `asked` up to its
 * first ".", e.g. "settings" for "settings.change") on `object`. */
gboolean          cp_store_require_admin         (CpStore *self, const CpStaff *actor, const char *asked,
                                                  const char *object, GError **error);

/* Mail send log (schema v3). save_mail_log: id 0 inserts (and sets id and
 * created_at), otherwise updates that row. list_mail_log: invoice_id 0 for
 * every invoice, kind NULL for every kind; oldest first. */
gboolean          cp_store_save_mail_log         (CpStore *self, CpMailLogEntry *entry, GError **error);
GPtrArray        *cp_store_list_mail_log         (CpStore *self, gint64 invoice_id, const char *kind,
                                                  GError **error);

/* Import, export and audit.
 * import_invoice: upserts by invoice number. invoice->patient must be saved
 * (id set). A new number is created; an existing invoice gets the new header
 * and line items, except that an invoice with payments (succeeded or still
 * open) keeps its line items: then CP_ERROR_PERMISSION unless the line items,
 * currency, tax rate and patient are unchanged (only the due date, notes and
 * voided flag may change). *out_created tells which happened.
 * list_payments_between / list_refunds_between: CpPayment / CpRefund rows
 * created from `from` to `to` inclusive (YYYY-MM-DD, UTC dates), oldest first.
 * list_audit: CpAuditEntry rows, oldest first; since (YYYY-MM-DD) and
 * action NULL for all.
 * audit_check: walks the whole chain and returns every CpAuditProblem
 * (empty array when intact); *out_count is the number of entries. */
gboolean          cp_store_import_invoice        (CpStore *self, CpInvoice *invoice, gboolean *out_created,
                                                  GError **error);
GPtrArray        *cp_store_list_payments_between (CpStore *self, const char *from, const char *to, GError **error);
GPtrArray        *cp_store_list_refunds_between  (CpStore *self, const char *from, const char *to, GError **error);
GPtrArray        *cp_store_list_audit            (CpStore *self, const char *since, const char *action,
                                                  GError **error);
GPtrArray        *cp_store_audit_check           (CpStore *self, gint64 *out_count, GError **error);

/* Reports: fills a new report from cp_report_new() (once) with the range's
 * payments, refunds, failures, disputes and open balances. */
gboolean          cp_store_fill_report           (CpStore *self, CpReport *report, GError **error);

/* Async helpers for the UI: run the method in a worker thread and return on
 * the calling thread's main context. Results as from the sync methods. */
void              cp_store_list_invoices_async   (CpStore *self, const CpInvoiceQuery *query,
                                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                                  gpointer user_data);
GPtrArray        *cp_store_list_invoices_finish  (CpStore *self, GAsyncResult *result, GError **error);
void              cp_store_get_invoice_async     (CpStore *self, gint64 id, GCancellable *cancellable,
                                                  GAsyncReadyCallback callback, gpointer user_data);
CpInvoice        *cp_store_get_invoice_finish    (CpStore *self, GAsyncResult *result, GError **error);
void              cp_store_list_patients_async   (CpStore *self, const char *search, guint limit,
                                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                                  gpointer user_data);
GPtrArray        *cp_store_list_patients_finish  (CpStore *self, GAsyncResult *result, GError **error);
void              cp_store_get_totals_async      (CpStore *self, GCancellable *cancellable,
                                                  GAsyncReadyCallback callback, gpointer user_data);
CpInvoiceTotals  *cp_store_get_totals_finish     (CpStore *self, GAsyncResult *result, GError **error);
void              cp_store_get_paid_this_month_async  (CpStore *self, GCancellable *cancellable,
                                                       GAsyncReadyCallback callback, gpointer user_data);
CpInvoiceTotals  *cp_store_get_paid_this_month_finish (CpStore *self, GAsyncResult *result, GError **error);
void              cp_store_get_data_version_async  (CpStore *self, GCancellable *cancellable,
                                                    GAsyncReadyCallback callback, gpointer user_data);
gboolean          cp_store_get_data_version_finish (CpStore *self, GAsyncResult *result, guint64 *out_version,
                                                    GError **error);
void              cp_store_authenticate_async    (CpStore *self, const char *username, const char *password,
                                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                                  gpointer user_data);
CpStaff          *cp_store_authenticate_finish   (CpStore *self, GAsyncResult *result, GError **error);

/* The report is the task's until the callback: do not read it before _finish. */
void              cp_store_fill_report_async     (CpStore *self, CpReport *report, GCancellable *cancellable,
                                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean          cp_store_fill_report_finish    (CpStore *self, GAsyncResult *result, GError **error);

/* The default database path: $XDG_DATA_HOME/carepay/carepay.db. */
char             *cp_store_default_path          (void);

G_END_DECLS
