/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-store.h"
#include "cp-thread-call.h"

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

/* Calls the vfunc @method with @self, the arguments that follow and @error,
 * or sets the CP_ERROR_FAILED error and gives @failed (FALSE or NULL). */
#define FORWARD(self, method, failed, error, ...) \
  (IFACE (self)->method != NULL \
   ? IFACE (self)->method ((self), ##__VA_ARGS__, (error)) \
   : (not_supported ((self), #method, (error)), (failed)))

gboolean
cp_store_get_data_version (CpStore  *self,
                           guint64  *out_version,
                           GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_version != NULL, FALSE);
  return FORWARD (self, get_data_version, FALSE, error, out_version);
}

gboolean
cp_store_begin (CpStore  *self,
                GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  return FORWARD (self, begin, FALSE, error);
}

gboolean
cp_store_commit (CpStore  *self,
                 GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  return FORWARD (self, commit, FALSE, error);
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
  return FORWARD (self, set_meta, FALSE, error, key, value);
}

gboolean
cp_store_save_patient (CpStore    *self,
                       CpPatient  *patient,
                       GError    **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient != NULL, FALSE);
  return FORWARD (self, save_patient, FALSE, error, patient);
}

CpPatient *
cp_store_get_patient (CpStore  *self,
                      gint64    id,
                      GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, get_patient, NULL, error, id);
}

CpPatient *
cp_store_get_patient_by_mrn (CpStore     *self,
                             const char  *mrn,
                             GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (mrn != NULL, NULL);
  return FORWARD (self, get_patient_by_mrn, NULL, error, mrn);
}

GPtrArray *
cp_store_list_patients (CpStore     *self,
                        const char  *search,
                        guint        limit,
                        GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, list_patients, NULL, error, search, limit);
}

gboolean
cp_store_create_invoice (CpStore    *self,
                         CpInvoice  *invoice,
                         GError    **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (invoice != NULL, FALSE);
  return FORWARD (self, create_invoice, FALSE, error, invoice);
}

CpInvoice *
cp_store_get_invoice (CpStore  *self,
                      gint64    id,
                      GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, get_invoice, NULL, error, id);
}

CpInvoice *
cp_store_get_invoice_by_number (CpStore     *self,
                                const char  *number,
                                GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (number != NULL, NULL);
  return FORWARD (self, get_invoice_by_number, NULL, error, number);
}

GPtrArray *
cp_store_list_invoices (CpStore               *self,
                        const CpInvoiceQuery  *query,
                        GError               **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, list_invoices, NULL, error, query);
}

gboolean
cp_store_get_totals (CpStore          *self,
                     CpInvoiceTotals  *out,
                     GError          **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  return FORWARD (self, get_totals, FALSE, error, out);
}

gboolean
cp_store_get_paid_this_month (CpStore          *self,
                              CpInvoiceTotals  *out,
                              GError          **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  return FORWARD (self, get_paid_this_month, FALSE, error, out);
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
  return FORWARD (self, next_invoice_number, NULL, error);
}

gboolean
cp_store_set_invoice_voided (CpStore   *self,
                             gint64     invoice_id,
                             gboolean   voided,
                             GError   **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  return FORWARD (self, set_invoice_voided, FALSE, error, invoice_id, voided);
}

gboolean
cp_store_record_payment (CpStore    *self,
                         CpPayment  *payment,
                         GError    **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (payment != NULL, FALSE);
  return FORWARD (self, record_payment, FALSE, error, payment);
}

gboolean
cp_store_record_refund (CpStore   *self,
                        CpRefund  *refund,
                        GError   **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (refund != NULL, FALSE);
  return FORWARD (self, record_refund, FALSE, error, refund);
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
  return FORWARD (self, create_staff, FALSE, error, username, display_name, role, password);
}

CpStaff *
cp_store_authenticate (CpStore     *self,
                       const char  *username,
                       const char  *password,
                       GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, authenticate, NULL, error, username, password);
}

GPtrArray *
cp_store_list_staff (CpStore  *self,
                     GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, list_staff, NULL, error);
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
  return FORWARD (self, add_staff, FALSE, error, actor_id (actor), username, display_name, role, password);
}

gboolean
cp_store_set_staff_role (CpStore        *self,
                         const CpStaff  *actor,
                         gint64          staff_id,
                         CpRole          role,
                         GError        **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  return FORWARD (self, set_staff_role, FALSE, error, actor_id (actor), staff_id, role);
}

gboolean
cp_store_set_staff_active (CpStore        *self,
                           const CpStaff  *actor,
                           gint64          staff_id,
                           gboolean        active,
                           GError        **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  return FORWARD (self, set_staff_active, FALSE, error, actor_id (actor), staff_id, active);
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
  return FORWARD (self, set_staff_password, FALSE, error, actor_id (actor), staff_id, password);
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
  return FORWARD (self, require_admin, FALSE, error, actor_id (actor), asked, object);
}

char *
cp_store_idempotency_key (CpStore     *self,
                          const char  *operation,
                          GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (operation != NULL, NULL);
  return FORWARD (self, idempotency_key, NULL, error, operation);
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
  return FORWARD (self, audit_append, FALSE, error, staff_id, action, object, details);
}

/* Ledger (schema v2) */

CpPayment *
cp_store_get_payment_by_intent (CpStore     *self,
                                const char  *payment_intent_id,
                                GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (payment_intent_id != NULL, NULL);
  return FORWARD (self, get_payment_by_intent, NULL, error, payment_intent_id);
}

GPtrArray *
cp_store_list_payments (CpStore  *self,
                        gint64    invoice_id,
                        GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, list_payments, NULL, error, invoice_id);
}

GPtrArray *
cp_store_list_refunds (CpStore  *self,
                       gint64    invoice_id,
                       GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, list_refunds, NULL, error, invoice_id);
}

gboolean
cp_store_event_applied (CpStore     *self,
                        const char  *event_id,
                        GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (event_id != NULL, FALSE);
  return FORWARD (self, event_applied, FALSE, error, event_id);
}

gboolean
cp_store_mark_event_applied (CpStore     *self,
                             const char  *event_id,
                             const char  *type,
                             GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (event_id != NULL, FALSE);
  return FORWARD (self, mark_event_applied, FALSE, error, event_id, type);
}

gboolean
cp_store_save_payment_link (CpStore        *self,
                            CpPaymentLink  *link,
                            GError        **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (link != NULL, FALSE);
  return FORWARD (self, save_payment_link, FALSE, error, link);
}

CpPaymentLink *
cp_store_get_active_payment_link (CpStore  *self,
                                  gint64    invoice_id,
                                  GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, get_active_payment_link, NULL, error, invoice_id);
}

GPtrArray *
cp_store_list_payment_links (CpStore  *self,
                             gint64    invoice_id,
                             GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, list_payment_links, NULL, error, invoice_id);
}

gboolean
cp_store_revoke_payment_link (CpStore     *self,
                              const char  *link_id,
                              const char  *reason,
                              GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (link_id != NULL, FALSE);
  return FORWARD (self, revoke_payment_link, FALSE, error, link_id, reason);
}

gboolean
cp_store_save_mail_log (CpStore         *self,
                        CpMailLogEntry  *entry,
                        GError         **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  return FORWARD (self, save_mail_log, FALSE, error, entry);
}

GPtrArray *
cp_store_list_mail_log (CpStore     *self,
                        gint64       invoice_id,
                        const char  *kind,
                        GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, list_mail_log, NULL, error, invoice_id, kind);
}

/* Async helpers: each runs its blocking method as a thunk in a worker
 * thread (cp-thread-call.c), not at all once cancelled. */

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

static gpointer
list_invoices_func (CpStore *self, gpointer data, GCancellable *cancellable, GError **error)
{
  return cp_store_list_invoices (self, data, error);
}

void
cp_store_list_invoices_async (CpStore              *self,
                              const CpInvoiceQuery *query,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_return_if_fail (CP_IS_STORE (self));
  cp_thread_call_run (self, cp_store_list_invoices_async, CP_THREAD_CALL_SKIP_CANCELLED,
                      (CpThreadFunc) list_invoices_func, (GDestroyNotify) g_ptr_array_unref,
                      invoice_query_copy (query), (GDestroyNotify) invoice_query_free,
                      cancellable, callback, user_data);
}

GPtrArray *
cp_store_list_invoices_finish (CpStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return cp_thread_call_finish (self, result, cp_store_list_invoices_async, error);
}

static gpointer
get_invoice_func (CpStore *self, gpointer data, GCancellable *cancellable, GError **error)
{
  return cp_store_get_invoice (self, *(gint64 *) data, error);
}

void
cp_store_get_invoice_async (CpStore             *self,
                            gint64               id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (CP_IS_STORE (self));
  cp_thread_call_run (self, cp_store_get_invoice_async, CP_THREAD_CALL_SKIP_CANCELLED,
                      (CpThreadFunc) get_invoice_func, (GDestroyNotify) cp_invoice_free,
                      g_memdup2 (&id, sizeof id), g_free, cancellable, callback, user_data);
}

CpInvoice *
cp_store_get_invoice_finish (CpStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return cp_thread_call_finish (self, result, cp_store_get_invoice_async, error);
}

static gpointer
get_data_version_func (CpStore *self, gpointer data, GCancellable *cancellable, GError **error)
{
  guint64 version;

  if (!cp_store_get_data_version (self, &version, error))
    return NULL;
  return g_memdup2 (&version, sizeof version);
}

void
cp_store_get_data_version_async (CpStore             *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (CP_IS_STORE (self));
  cp_thread_call_run (self, cp_store_get_data_version_async, CP_THREAD_CALL_SKIP_CANCELLED,
                      (CpThreadFunc) get_data_version_func, g_free, NULL, NULL,
                      cancellable, callback, user_data);
}

gboolean
cp_store_get_data_version_finish (CpStore       *self,
                                  GAsyncResult  *result,
                                  guint64       *out_version,
                                  GError       **error)
{
  g_autofree guint64 *version = cp_thread_call_finish (self, result, cp_store_get_data_version_async, error);

  if (version == NULL)
    return FALSE;
  *out_version = *version;
  return TRUE;
}

typedef struct {
  char  *search;
  guint  limit;
} PatientSearch;

static void
patient_search_free (PatientSearch *search)
{
  g_free (search->search);
  g_free (search);
}

static gpointer
list_patients_func (CpStore *self, gpointer data, GCancellable *cancellable, GError **error)
{
  PatientSearch *search = data;

  return cp_store_list_patients (self, search->search, search->limit, error);
}

void
cp_store_list_patients_async (CpStore             *self,
                              const char          *search,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PatientSearch *data = g_new0 (PatientSearch, 1);

  g_return_if_fail (CP_IS_STORE (self));
  data->search = g_strdup (search);
  data->limit = limit;
  cp_thread_call_run (self, cp_store_list_patients_async, CP_THREAD_CALL_SKIP_CANCELLED,
                      (CpThreadFunc) list_patients_func, (GDestroyNotify) g_ptr_array_unref,
                      data, (GDestroyNotify) patient_search_free, cancellable, callback, user_data);
}

GPtrArray *
cp_store_list_patients_finish (CpStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return cp_thread_call_finish (self, result, cp_store_list_patients_async, error);
}

static void
totals_free (CpInvoiceTotals *totals)
{
  cp_invoice_totals_clear (totals);
  g_free (totals);
}

/* The totals calls fill a CpInvoiceTotals the task returns. */
static CpInvoiceTotals *
totals_call (CpStore  *self,
             gboolean (*fill) (CpStore *, CpInvoiceTotals *, GError **),
             GError  **error)
{
  CpInvoiceTotals *totals = g_new0 (CpInvoiceTotals, 1);

  if (!fill (self, totals, error))
    {
      totals_free (totals);
      return NULL;
    }
  return totals;
}

static gpointer
get_totals_func (CpStore *self, gpointer data, GCancellable *cancellable, GError **error)
{
  return totals_call (self, cp_store_get_totals, error);
}

static gpointer
get_paid_this_month_func (CpStore *self, gpointer data, GCancellable *cancellable, GError **error)
{
  return totals_call (self, cp_store_get_paid_this_month, error);
}

void
cp_store_get_totals_async (CpStore             *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CP_IS_STORE (self));
  cp_thread_call_run (self, cp_store_get_totals_async, CP_THREAD_CALL_SKIP_CANCELLED,
                      (CpThreadFunc) get_totals_func, (GDestroyNotify) totals_free,
                      NULL, NULL, cancellable, callback, user_data);
}

/* The result is a g_new'ed CpInvoiceTotals: free with cp_invoice_totals_clear + g_free. */
CpInvoiceTotals *
cp_store_get_totals_finish (CpStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return cp_thread_call_finish (self, result, cp_store_get_totals_async, error);
}

void
cp_store_get_paid_this_month_async (CpStore             *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (CP_IS_STORE (self));
  cp_thread_call_run (self, cp_store_get_paid_this_month_async, CP_THREAD_CALL_SKIP_CANCELLED,
                      (CpThreadFunc) get_paid_this_month_func, (GDestroyNotify) totals_free,
                      NULL, NULL, cancellable, callback, user_data);
}

/* As cp_store_get_totals_finish(). */
CpInvoiceTotals *
cp_store_get_paid_this_month_finish (CpStore       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return cp_thread_call_finish (self, result, cp_store_get_paid_this_month_async, error);
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

static gpointer
authenticate_func (CpStore *self, gpointer data, GCancellable *cancellable, GError **error)
{
  AuthData *auth = data;

  return cp_store_authenticate (self, auth->username, auth->password, error);
}

void
cp_store_authenticate_async (CpStore             *self,
                             const char          *username,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  AuthData *data;

  g_return_if_fail (CP_IS_STORE (self));

  data = g_new0 (AuthData, 1);
  data->username = g_strdup (username);
  data->password = g_strdup (password);
  cp_thread_call_run (self, cp_store_authenticate_async, CP_THREAD_CALL_SKIP_CANCELLED,
                      (CpThreadFunc) authenticate_func, (GDestroyNotify) cp_staff_free,
                      data, (GDestroyNotify) auth_data_free, cancellable, callback, user_data);
}

CpStaff *
cp_store_authenticate_finish (CpStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return cp_thread_call_finish (self, result, cp_store_authenticate_async, error);
}

static gpointer
fill_report_func (CpStore *self, gpointer data, GCancellable *cancellable, GError **error)
{
  return cp_store_fill_report (self, data, error) ? self : NULL;
}

void
cp_store_fill_report_async (CpStore             *self,
                            CpReport            *report,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (CP_IS_STORE (self));
  g_return_if_fail (report != NULL);
  cp_thread_call_run (self, cp_store_fill_report_async, CP_THREAD_CALL_SKIP_CANCELLED,
                      (CpThreadFunc) fill_report_func, NULL,
                      cp_report_ref (report), (GDestroyNotify) cp_report_unref,
                      cancellable, callback, user_data);
}

gboolean
cp_store_fill_report_finish (CpStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return cp_thread_call_finish_boolean (self, result, cp_store_fill_report_async, error);
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
  return FORWARD (self, import_invoice, FALSE, error, invoice, out_created);
}

GPtrArray *
cp_store_list_payments_between (CpStore     *self,
                                const char  *from,
                                const char  *to,
                                GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, list_payments_between, NULL, error, from, to);
}

GPtrArray *
cp_store_list_refunds_between (CpStore     *self,
                               const char  *from,
                               const char  *to,
                               GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, list_refunds_between, NULL, error, from, to);
}

GPtrArray *
cp_store_list_audit (CpStore     *self,
                     const char  *since,
                     const char  *action,
                     GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, list_audit, NULL, error, since, action);
}

GPtrArray *
cp_store_audit_check (CpStore  *self,
                      gint64   *out_count,
                      GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  return FORWARD (self, audit_check, NULL, error, out_count);
}

/* Reports */

gboolean
cp_store_fill_report (CpStore   *self,
                      CpReport  *report,
                      GError   **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);
  return FORWARD (self, fill_report, FALSE, error, report);
}
