/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ledger's refunds: ours (cp_ledger_refund(), newest payment first) and
 * every refund Stripe tells of, recorded by one rule in
 * cp_ledger_apply_stripe_refund(). */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-ledger-private.h"
#include "cp-stripe-refunds.h"

static CpRefund *
find_refund (GPtrArray  *refunds,
             const char *stripe_id)
{
  for (guint i = 0; refunds != NULL && i < refunds->len; i++)
    {
      CpRefund *refund = g_ptr_array_index (refunds, i);

      if (g_strcmp0 (refund->stripe_refund_id, stripe_id) == 0)
        return refund;
    }
  return NULL;
}

CpRefund *
cp_ledger_apply_stripe_refund (CpLedger              *self,
                               const CpStripeRefund  *re,
                               gint64                 staff_id,
                               const char            *reason,
                               gint64                 seen_us,
                               const char            *event_id,
                               gint64                *out_invoice_id,
                               GCancellable          *cancellable,
                               GError               **error)
{
  CpStore *store = cp_ledger_get_store (self);
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpRefund) refund = NULL;
  g_autoptr(GPtrArray) known = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GError) local_error = NULL;
  CpRefund *existing;
  gboolean was_counting, counts;

  if (out_invoice_id != NULL)
    *out_invoice_id = 0;
  if (re->payment_intent == NULL)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Refund %s names no PaymentIntent"), re->id);
      return NULL;
    }

  payment = cp_store_get_payment_by_intent (store, re->payment_intent, &local_error);
  if (payment == NULL)
    {
      if (!cp_ledger_is_not_found (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      payment = cp_ledger_retrieve_and_apply (self, re->payment_intent, NULL, cancellable, error);
      if (payment == NULL)
        return NULL;
    }

  invoice = cp_ledger_read_invoice (self, payment->invoice_id, FALSE, error);
  if (invoice == NULL)
    return NULL;
  known = cp_store_list_refunds (store, payment->invoice_id, error);
  if (known == NULL)
    return NULL;
  existing = find_refund (known, re->id);

  refund = cp_stripe_refund_to_refund (re, payment->invoice_id, payment->id);
  g_free (refund->currency);
  refund->currency = g_strdup (payment->currency);
  refund->failure_reason = g_strdup (re->failure_reason);
  if (existing == NULL)
    {
      refund->staff_id = staff_id;
      if (reason != NULL)
        {
          g_free (refund->reason);
          refund->reason = g_strdup (reason);
        }
    }

  was_counting = existing != NULL && cp_refund_status_counts (existing->status);
  counts = cp_refund_status_counts (refund->status);

  cp_ledger_fault_point (self, "before-store-write");
  if (!cp_store_begin (store, error))
    return NULL;
  if (!cp_store_record_refund (store, refund, error) ||
      !cp_ledger_note_version (self, re->id, seen_us, event_id, error))
    {
      cp_store_rollback (store);
      return NULL;
    }
  if (existing == NULL && counts)
    cp_ledger_audit (self, staff_id, staff_id > 0 ? "refund" : "refund.recorded", invoice->number,
                     refund->amount, refund->currency, re->id);
  if (was_counting && !counts)
    cp_ledger_audit (self, 0, "refund.failed", invoice->number, refund->amount, refund->currency, re->id);
  if (!cp_store_commit (store, error))
    return NULL;
  cp_ledger_fault_point (self, "after-store-write");

  if (existing == NULL || was_counting != counts || g_strcmp0 (existing->status, refund->status) != 0)
    {
      if (out_invoice_id != NULL)
        *out_invoice_id = payment->invoice_id;
      cp_ledger_maintain_link (self, payment->invoice_id, cancellable);
    }
  return g_steal_pointer (&refund);
}

/* Picks up refunds made elsewhere (the Dashboard, a crash after Stripe
 * refunded) before the remainder is worked out. */
static void
refresh_refunds (CpLedger     *self,
                 CpInvoice    *invoice,
                 GCancellable *cancellable)
{
  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);
      g_autoptr(CpStripeList) list = NULL;
      g_autoptr(GError) error = NULL;
      gint64 asked = g_get_real_time ();

      if (!cp_payment_status_counts (payment->status))
        continue;
      list = cp_stripe_refund_list (cp_ledger_get_client (self), payment->stripe_payment_intent_id, 100, NULL,
                                    cancellable, NULL, &error);
      if (list == NULL)
        {
          g_debug ("Could not list refunds of %s: %s", payment->stripe_payment_intent_id, error->message);
          continue;
        }
      for (guint k = 0; k < list->items->len; k++)
        {
          g_autoptr(CpRefund) applied = cp_ledger_apply_stripe_refund (self, g_ptr_array_index (list->items, k), 0, NULL,
                                                                       asked, NULL, NULL, cancellable, &error);
          if (applied == NULL)
            {
              g_debug ("Could not apply a refund: %s", error->message);
              g_clear_error (&error);
            }
        }
    }
}

static gint64
refundable_of (CpInvoice *invoice,
               CpPayment *payment)
{
  gint64 left = payment->amount;

  for (guint i = 0; i < invoice->refunds->len; i++)
    {
      CpRefund *refund = g_ptr_array_index (invoice->refunds, i);

      if (refund->payment_id == payment->id && cp_refund_status_counts (refund->status))
        left -= refund->amount;
    }
  return MAX (left, 0);
}

static const char *
stripe_reason (const char *reason)
{
  static const char *const known[] = { "duplicate", "fraudulent", "requested_by_customer", NULL };

  if (reason != NULL && g_strv_contains (known, reason))
    return reason;
  return "requested_by_customer";
}

GPtrArray *
cp_ledger_refund (CpLedger       *self,
                  gint64          invoice_id,
                  gint64          amount,
                  const char     *reason,
                  const CpStaff  *staff,
                  GCancellable   *cancellable,
                  GError        **error)
{
  CpStore *store = cp_ledger_get_store (self);
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_refund_free);
  g_autofree char *attempt_id = NULL;
  gint64 refundable = 0;
  gint64 left;

  g_return_val_if_fail (CP_IS_LEDGER (self), NULL);

  if (!cp_ledger_require_supervisor (staff, _("refund a payment"), error))
    return NULL;
  if (amount < 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("An amount cannot be negative"));
      return NULL;
    }
  if (reason == NULL || *reason == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("A refund needs a reason"));
      return NULL;
    }

  invoice = cp_store_get_invoice (store, invoice_id, error);
  if (invoice == NULL)
    return NULL;
  refresh_refunds (self, invoice, cancellable);
  g_clear_pointer (&invoice, cp_invoice_free);
  invoice = cp_store_get_invoice (store, invoice_id, error);
  if (invoice == NULL)
    return NULL;

  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      if (cp_payment_status_counts (payment->status) && !payment->disputed)
        refundable += refundable_of (invoice, payment);
    }

  if (amount == 0)
    amount = refundable;
  if (amount <= 0 || amount > refundable)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("%" PRId64 " is more than the %" PRId64 " that can be refunded on invoice %s"),
                   amount, refundable, invoice->number);
      return NULL;
    }

  /* Newest payment first; one refund per payment it touches */
  attempt_id = g_uuid_string_random ();
  left = amount;
  for (guint i = invoice->payments->len; i > 0 && left > 0; i--)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i - 1);
      g_autoptr(CpStripeRefund) re = NULL;
      g_autofree char *operation = NULL;
      g_autofree char *key = NULL;
      CpStripeRefundParams params = { 0 };
      CpRefund *refund;
      gint64 part;
      gint64 asked;

      if (!cp_payment_status_counts (payment->status) || payment->disputed)
        continue;
      part = MIN (left, refundable_of (invoice, payment));
      if (part <= 0)
        continue;

      operation = g_strdup_printf ("refund.create:invoice=%" G_GINT64_FORMAT ":attempt=%s:pi=%s",
                                   invoice_id, attempt_id, payment->stripe_payment_intent_id);
      key = cp_store_idempotency_key (store, operation, error);
      if (key == NULL)
        return done->len > 0 ? g_steal_pointer (&done) : NULL;

      params.payment_intent = payment->stripe_payment_intent_id;
      params.amount = part;
      params.reason = stripe_reason (reason);
      params.invoice_id = invoice_id;
      params.staff_id = staff->id;
      asked = g_get_real_time ();
      re = cp_stripe_refund_create (cp_ledger_get_client (self), &params, operation, cancellable, NULL, error);
      if (re == NULL)
        return done->len > 0 ? g_steal_pointer (&done) : NULL;
      cp_ledger_fault_point (self, "after-refund-create");

      refund = cp_ledger_apply_stripe_refund (self, re, staff->id, reason, asked, NULL, NULL, cancellable, error);
      if (refund == NULL)
        return done->len > 0 ? g_steal_pointer (&done) : NULL;
      g_ptr_array_add (done, refund);
      left -= part;
    }

  return g_steal_pointer (&done);
}
