/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-store.h"

G_DEFINE_INTERFACE (CpStore, cp_store, G_TYPE_OBJECT)

static void
cp_store_default_init (CpStoreInterface *iface)
{
}

static gboolean
not_supported (CpStore     *self,
               const char  *what,
               GError     **error)
{
  g_set_error (error, CP_ERROR, CP_ERROR_FAILED,
               "%s does not implement %s", G_OBJECT_TYPE_NAME (self), what);
  return FALSE;
}

/* Each wrapper checks the instance and forwards to the vfunc; a store that
 * lacks a method fails with CP_ERROR_FAILED rather than crashing. */
#define IFACE(self) CP_STORE_GET_IFACE (self)

gboolean
cp_store_begin (CpStore  *self,
                GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  if (IFACE (self)->begin == NULL)
    return not_supported (self, "begin", error);
  return IFACE (self)->begin (self, error);
}

gboolean
cp_store_commit (CpStore  *self,
                 GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  if (IFACE (self)->commit == NULL)
    return not_supported (self, "commit", error);
  return IFACE (self)->commit (self, error);
}

void
cp_store_rollback (CpStore *self)
{
  g_return_if_fail (CP_IS_STORE (self));
  if (IFACE (self)->rollback != NULL)
    IFACE (self)->rollback (self);
}

char *
cp_store_get_meta (CpStore    *self,
                   const char *key)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  if (IFACE (self)->get_meta == NULL)
    return NULL;
  return IFACE (self)->get_meta (self, key);
}

gboolean
cp_store_set_meta (CpStore     *self,
                   const char  *key,
                   const char  *value,
                   GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  if (IFACE (self)->set_meta == NULL)
    return not_supported (self, "set_meta", error);
  return IFACE (self)->set_meta (self, key, value, error);
}

gboolean
cp_store_save_patient (CpStore    *self,
                       CpPatient  *patient,
                       GError    **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient != NULL, FALSE);
  if (IFACE (self)->save_patient == NULL)
    return not_supported (self, "save_patient", error);
  return IFACE (self)->save_patient (self, patient, error);
}

CpPatient *
cp_store_get_patient (CpStore  *self,
                      gint64    id,
                      GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->get_patient == NULL)
    return not_supported (self, "get_patient", error), NULL;
  return IFACE (self)->get_patient (self, id, error);
}

CpPatient *
cp_store_get_patient_by_mrn (CpStore     *self,
                             const char  *mrn,
                             GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (mrn != NULL, NULL);
  if (IFACE (self)->get_patient_by_mrn == NULL)
    return not_supported (self, "get_patient_by_mrn", error), NULL;
  return IFACE (self)->get_patient_by_mrn (self, mrn, error);
}

GPtrArray *
cp_store_list_patients (CpStore     *self,
                        const char  *search,
                        GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->list_patients == NULL)
    return not_supported (self, "list_patients", error), NULL;
  return IFACE (self)->list_patients (self, search, error);
}

gboolean
cp_store_create_invoice (CpStore    *self,
                         CpInvoice  *invoice,
                         GError    **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (invoice != NULL, FALSE);
  if (IFACE (self)->create_invoice == NULL)
    return not_supported (self, "create_invoice", error);
  return IFACE (self)->create_invoice (self, invoice, error);
}

CpInvoice *
cp_store_get_invoice (CpStore  *self,
                      gint64    id,
                      GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->get_invoice == NULL)
    return not_supported (self, "get_invoice", error), NULL;
  return IFACE (self)->get_invoice (self, id, error);
}

CpInvoice *
cp_store_get_invoice_by_number (CpStore     *self,
                                const char  *number,
                                GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (number != NULL, NULL);
  if (IFACE (self)->get_invoice_by_number == NULL)
    return not_supported (self, "get_invoice_by_number", error), NULL;
  return IFACE (self)->get_invoice_by_number (self, number, error);
}

GPtrArray *
cp_store_list_invoices (CpStore               *self,
                        const CpInvoiceQuery  *query,
                        GError               **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->list_invoices == NULL)
    return not_supported (self, "list_invoices", error), NULL;
  return IFACE (self)->list_invoices (self, query, error);
}

gboolean
cp_store_get_totals (CpStore          *self,
                     CpInvoiceTotals  *out,
                     GError          **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  if (IFACE (self)->get_totals == NULL)
    return not_supported (self, "get_totals", error);
  return IFACE (self)->get_totals (self, out, error);
}

gboolean
cp_store_get_paid_this_month (CpStore          *self,
                              CpInvoiceTotals  *out,
                              GError          **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  if (IFACE (self)->get_paid_this_month == NULL)
    return not_supported (self, "get_paid_this_month", error);
  return IFACE (self)->get_paid_this_month (self, out, error);
}

gboolean
cp_invoice_totals_add_open (CpInvoiceTotals  *totals,
                            CpInvoiceStatus   status,
                            gint64            balance_due,
                            GError          **error)
{
  switch (status)
    {
    case CP_INVOICE_STATUS_OVERDUE:
      if (!cp_money_add (totals->overdue, balance_due, &totals->overdue, error))
        return FALSE;
      totals->overdue_count++;
      G_GNUC_FALLTHROUGH;
    case CP_INVOICE_STATUS_PENDING:
    case CP_INVOICE_STATUS_PARTIALLY_PAID:
      if (!cp_money_add (totals->outstanding, balance_due, &totals->outstanding, error))
        return FALSE;
      totals->outstanding_count++;
      break;
    case CP_INVOICE_STATUS_PAID:
    case CP_INVOICE_STATUS_CANCELLED:
    case CP_INVOICE_STATUS_REFUNDED:
    case CP_N_INVOICE_STATUSES:
    default:
      break;
    }
  return TRUE;
}

char *
cp_store_next_invoice_number (CpStore  *self,
                              GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->next_invoice_number == NULL)
    return not_supported (self, "next_invoice_number", error), NULL;
  return IFACE (self)->next_invoice_number (self, error);
}

gboolean
cp_store_set_invoice_voided (CpStore   *self,
                             gint64     invoice_id,
                             gboolean   voided,
                             GError   **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  if (IFACE (self)->set_invoice_voided == NULL)
    return not_supported (self, "set_invoice_voided", error);
  return IFACE (self)->set_invoice_voided (self, invoice_id, voided, error);
}

gboolean
cp_store_record_payment (CpStore    *self,
                         CpPayment  *payment,
                         GError    **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (payment != NULL, FALSE);
  if (IFACE (self)->record_payment == NULL)
    return not_supported (self, "record_payment", error);
  return IFACE (self)->record_payment (self, payment, error);
}

gboolean
cp_store_record_refund (CpStore   *self,
                        CpRefund  *refund,
                        GError   **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (refund != NULL, FALSE);
  if (IFACE (self)->record_refund == NULL)
    return not_supported (self, "record_refund", error);
  return IFACE (self)->record_refund (self, refund, error);
}

gboolean
cp_store_create_staff (CpStore     *self,
                       const char  *username,
                       const char  *display_name,
                       CpRole       role,
                       const char  *password,
                       GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  if (IFACE (self)->create_staff == NULL)
    return not_supported (self, "create_staff", error);
  return IFACE (self)->create_staff (self, username, display_name, role, password, error);
}

CpStaff *
cp_store_authenticate (CpStore     *self,
                       const char  *username,
                       const char  *password,
                       GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->authenticate == NULL)
    return not_supported (self, "authenticate", error), NULL;
  return IFACE (self)->authenticate (self, username, password, error);
}

GPtrArray *
cp_store_list_staff (CpStore  *self,
                     GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->list_staff == NULL)
    return not_supported (self, "list_staff", error), NULL;
  return IFACE (self)->list_staff (self, error);
}

static inline gint64
actor_id (const CpStaff *actor)
{
  return actor != NULL ? actor->id : 0;
}

gboolean
cp_store_add_staff (CpStore        *self,
                    const CpStaff  *actor,
                    const char     *username,
                    const char     *display_name,
                    CpRole          role,
                    const char     *password,
                    GError        **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  if (IFACE (self)->add_staff == NULL)
    return not_supported (self, "add_staff", error);
  return IFACE (self)->add_staff (self, actor_id (actor), username, display_name, role, password, error);
}

gboolean
cp_store_set_staff_role (CpStore        *self,
                         const CpStaff  *actor,
                         gint64          staff_id,
                         CpRole          role,
                         GError        **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  if (IFACE (self)->set_staff_role == NULL)
    return not_supported (self, "set_staff_role", error);
  return IFACE (self)->set_staff_role (self, actor_id (actor), staff_id, role, error);
}

gboolean
cp_store_set_staff_active (CpStore        *self,
                           const CpStaff  *actor,
                           gint64          staff_id,
                           gboolean        active,
                           GError        **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  if (IFACE (self)->set_staff_active == NULL)
    return not_supported (self, "set_staff_active", error);
  return IFACE (self)->set_staff_active (self, actor_id (actor), staff_id, active, error);
}

gboolean
cp_store_set_staff_password (CpStore        *self,
                             const CpStaff  *actor,
                             gint64          staff_id,
                             const char     *password,
                             GError        **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  if (IFACE (self)->set_staff_password == NULL)
    return not_supported (self, "set_staff_password", error);
  return IFACE (self)->set_staff_password (self, actor_id (actor), staff_id, password, error);
}

gboolean
cp_store_require_admin (CpStore        *self,
                        const CpStaff  *actor,
                        const char     *asked,
                        const char     *object,
                        GError        **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (asked != NULL, FALSE);
  if (IFACE (self)->require_admin == NULL)
    return not_supported (self, "require_admin", error);
  return IFACE (self)->require_admin (self, actor_id (actor), asked, object, error);
}

char *
cp_store_idempotency_key (CpStore     *self,
                          const char  *operation,
                          GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (operation != NULL, NULL);
  if (IFACE (self)->idempotency_key == NULL)
    return not_supported (self, "idempotency_key", error), NULL;
  return IFACE (self)->idempotency_key (self, operation, error);
}

gboolean
cp_store_audit_append (CpStore     *self,
                       gint64       staff_id,
                       const char  *action,
                       const char  *object,
                       const char  *details,
                       GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);
  if (IFACE (self)->audit_append == NULL)
    return not_supported (self, "audit_append", error);
  return IFACE (self)->audit_append (self, staff_id, action, object, details, error);
}

/* Ledger (schema v2) */

CpPayment *
cp_store_get_payment_by_intent (CpStore     *self,
                                const char  *payment_intent_id,
                                GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (payment_intent_id != NULL, NULL);
  if (IFACE (self)->get_payment_by_intent == NULL)
    return not_supported (self, "get_payment_by_intent", error), NULL;
  return IFACE (self)->get_payment_by_intent (self, payment_intent_id, error);
}

GPtrArray *
cp_store_list_payments (CpStore  *self,
                        gint64    invoice_id,
                        GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->list_payments == NULL)
    return not_supported (self, "list_payments", error), NULL;
  return IFACE (self)->list_payments (self, invoice_id, error);
}

GPtrArray *
cp_store_list_refunds (CpStore  *self,
                       gint64    invoice_id,
                       GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->list_refunds == NULL)
    return not_supported (self, "list_refunds", error), NULL;
  return IFACE (self)->list_refunds (self, invoice_id, error);
}

gboolean
cp_store_event_applied (CpStore     *self,
                        const char  *event_id,
                        GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (event_id != NULL, FALSE);
  if (IFACE (self)->event_applied == NULL)
    return not_supported (self, "event_applied", error);
  return IFACE (self)->event_applied (self, event_id, error);
}

gboolean
cp_store_mark_event_applied (CpStore     *self,
                             const char  *event_id,
                             const char  *type,
                             GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (event_id != NULL, FALSE);
  if (IFACE (self)->mark_event_applied == NULL)
    return not_supported (self, "mark_event_applied", error);
  return IFACE (self)->mark_event_applied (self, event_id, type, error);
}

gboolean
cp_store_save_payment_link (CpStore        *self,
                            CpPaymentLink  *link,
                            GError        **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (link != NULL, FALSE);
  if (IFACE (self)->save_payment_link == NULL)
    return not_supported (self, "save_payment_link", error);
  return IFACE (self)->save_payment_link (self, link, error);
}

CpPaymentLink *
cp_store_get_active_payment_link (CpStore  *self,
                                  gint64    invoice_id,
                                  GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->get_active_payment_link == NULL)
    return not_supported (self, "get_active_payment_link", error), NULL;
  return IFACE (self)->get_active_payment_link (self, invoice_id, error);
}

GPtrArray *
cp_store_list_payment_links (CpStore  *self,
                             gint64    invoice_id,
                             GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->list_payment_links == NULL)
    return not_supported (self, "list_payment_links", error), NULL;
  return IFACE (self)->list_payment_links (self, invoice_id, error);
}

gboolean
cp_store_revoke_payment_link (CpStore     *self,
                              const char  *link_id,
                              const char  *reason,
                              GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (link_id != NULL, FALSE);
  if (IFACE (self)->revoke_payment_link == NULL)
    return not_supported (self, "revoke_payment_link", error);
  return IFACE (self)->revoke_payment_link (self, link_id, reason, error);
}

gboolean
cp_store_save_mail_log (CpStore         *self,
                        CpMailLogEntry  *entry,
                        GError         **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  if (IFACE (self)->save_mail_log == NULL)
    return not_supported (self, "save_mail_log", error);
  return IFACE (self)->save_mail_log (self, entry, error);
}

GPtrArray *
cp_store_list_mail_log (CpStore     *self,
                        gint64       invoice_id,
                        const char  *kind,
                        GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->list_mail_log == NULL)
    {
      not_supported (self, "list_mail_log", error);
      return NULL;
    }
  return IFACE (self)->list_mail_log (self, invoice_id, kind, error);
}

/* Async helpers */

static CpInvoiceQuery *
invoice_query_copy (const CpInvoiceQuery *query)
{
  CpInvoiceQuery *copy = g_new0 (CpInvoiceQuery, 1);

  if (query != NULL)
    {
      *copy = *query;
      copy->search = g_strdup (query->search);
    }
  else
    {
      CpInvoiceQuery init = CP_INVOICE_QUERY_INIT;
      *copy = init;
    }
  return copy;
}

static void
invoice_query_free (CpInvoiceQuery *query)
{
  g_free ((char *) query->search);
  g_free (query);
}

static void
list_invoices_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *rows;

  if (g_task_return_error_if_cancelled (task))
    return;

  rows = cp_store_list_invoices (CP_STORE (source_object), task_data, &error);
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

void
cp_store_list_invoices_async (CpStore              *self,
                              const CpInvoiceQuery *query,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_store_list_invoices_async);
  g_task_set_task_data (task, invoice_query_copy (query), (GDestroyNotify) invoice_query_free);
  g_task_run_in_thread (task, list_invoices_thread);
}

GPtrArray *
cp_store_list_invoices_finish (CpStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_store_list_invoices_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_invoice_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  CpInvoice *invoice;

  if (g_task_return_error_if_cancelled (task))
    return;

  invoice = cp_store_get_invoice (CP_STORE (source_object), *(gint64 *) task_data, &error);
  if (invoice == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, invoice, (GDestroyNotify) cp_invoice_free);
}

void
cp_store_get_invoice_async (CpStore             *self,
                            gint64               id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_store_get_invoice_async);
  g_task_set_task_data (task, g_memdup2 (&id, sizeof id), g_free);
  g_task_run_in_thread (task, get_invoice_thread);
}

CpInvoice *
cp_store_get_invoice_finish (CpStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_store_get_invoice_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
totals_free (CpInvoiceTotals *totals)
{
  cp_invoice_totals_clear (totals);
  g_free (totals);
}

static void
get_totals_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  CpInvoiceTotals *totals = g_new0 (CpInvoiceTotals, 1);

  if (g_task_return_error_if_cancelled (task))
    {
      g_free (totals);
      return;
    }

  if (!cp_store_get_totals (CP_STORE (source_object), totals, &error))
    {
      totals_free (totals);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, totals, (GDestroyNotify) totals_free);
}

void
cp_store_get_totals_async (CpStore             *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_store_get_totals_async);
  g_task_run_in_thread (task, get_totals_thread);
}

/* The result is a g_new'ed CpInvoiceTotals: free with cp_invoice_totals_clear + g_free. */
CpInvoiceTotals *
cp_store_get_totals_finish (CpStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_store_get_totals_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_paid_this_month_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  GError *error = NULL;
  CpInvoiceTotals *totals;

  if (g_task_return_error_if_cancelled (task))
    return;
  totals = g_new0 (CpInvoiceTotals, 1);
  if (!cp_store_get_paid_this_month (CP_STORE (source_object), totals, &error))
    {
      totals_free (totals);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, totals, (GDestroyNotify) totals_free);
}

void
cp_store_get_paid_this_month_async (CpStore             *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_store_get_paid_this_month_async);
  g_task_run_in_thread (task, get_paid_this_month_thread);
}

/* As cp_store_get_totals_finish(). */
CpInvoiceTotals *
cp_store_get_paid_this_month_finish (CpStore       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_store_get_paid_this_month_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  char *username;
  char *password;
} AuthData;

static void
auth_data_free (AuthData *data)
{
  g_free (data->username);
  if (data->password != NULL)
    {
      /* Do not leave the password lying around in freed memory */
      explicit_bzero (data->password, strlen (data->password));
      g_free (data->password);
    }
  g_free (data);
}

static void
authenticate_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  AuthData *data = task_data;
  GError *error = NULL;
  CpStaff *staff;

  if (g_task_return_error_if_cancelled (task))
    return;

  staff = cp_store_authenticate (CP_STORE (source_object), data->username, data->password, &error);
  if (staff == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, staff, (GDestroyNotify) cp_staff_free);
}

void
cp_store_authenticate_async (CpStore             *self,
                             const char          *username,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AuthData *data;

  g_return_if_fail (CP_IS_STORE (self));

  data = g_new0 (AuthData, 1);
  data->username = g_strdup (username);
  data->password = g_strdup (password);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_store_authenticate_async);
  g_task_set_task_data (task, data, (GDestroyNotify) auth_data_free);
  g_task_run_in_thread (task, authenticate_thread);
}

CpStaff *
cp_store_authenticate_finish (CpStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_store_authenticate_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
cp_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "carepay", "carepay.db", NULL);
}

/* Import, export and audit */

gboolean
cp_store_import_invoice (CpStore    *self,
                         CpInvoice  *invoice,
                         gboolean   *out_created,
                         GError    **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (invoice != NULL, FALSE);
  if (IFACE (self)->import_invoice == NULL)
    return not_supported (self, "import_invoice", error);
  return IFACE (self)->import_invoice (self, invoice, out_created, error);
}

GPtrArray *
cp_store_list_payments_between (CpStore     *self,
                                const char  *from,
                                const char  *to,
                                GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->list_payments_between == NULL)
    {
      not_supported (self, "list_payments_between", error);
      return NULL;
    }
  return IFACE (self)->list_payments_between (self, from, to, error);
}

GPtrArray *
cp_store_list_refunds_between (CpStore     *self,
                               const char  *from,
                               const char  *to,
                               GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->list_refunds_between == NULL)
    {
      not_supported (self, "list_refunds_between", error);
      return NULL;
    }
  return IFACE (self)->list_refunds_between (self, from, to, error);
}

GPtrArray *
cp_store_list_audit (CpStore     *self,
                     const char  *since,
                     const char  *action,
                     GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->list_audit == NULL)
    {
      not_supported (self, "list_audit", error);
      return NULL;
    }
  return IFACE (self)->list_audit (self, since, action, error);
}

GPtrArray *
cp_store_audit_check (CpStore  *self,
                      gint64   *out_count,
                      GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  if (IFACE (self)->audit_check == NULL)
    {
      not_supported (self, "audit_check", error);
      return NULL;
    }
  return IFACE (self)->audit_check (self, out_count, error);
}

/* Reports */

gboolean
cp_store_fill_report (CpStore   *self,
                      CpReport  *report,
                      GError   **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);
  if (IFACE (self)->fill_report == NULL)
    return not_supported (self, "fill_report", error);
  return IFACE (self)->fill_report (self, report, error);
}

static void
fill_report_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!cp_store_fill_report (CP_STORE (source_object), task_data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cp_store_fill_report_async (CpStore             *self,
                            CpReport            *report,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_STORE (self));
  g_return_if_fail (report != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_store_fill_report_async);
  g_task_set_task_data (task, cp_report_ref (report), (GDestroyNotify) cp_report_unref);
  g_task_run_in_thread (task, fill_report_thread);
}

gboolean
cp_store_fill_report_finish (CpStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_store_fill_report_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
