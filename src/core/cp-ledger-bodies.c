/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sync's events applied by their own bodies.
 *
 * Events listed with GET /v1/events and our secret key come from Stripe as
 * surely as a retrieve does, and each carries the object as it was at that
 * event (data.object). The sync walks them oldest first, so applying those
 * snapshots in order brings the ledger to where a retrieve would, without a
 * request per object. What keeps an older snapshot from undoing a newer
 * state is the version each object was last applied at (cp-sqlite-sync.c):
 * an event's created second, or when we asked Stripe for the object at the
 * desk, the kiosk or a webhook. Where the order cannot be told (within
 * CLOCK_MARGIN of our asking: Stripe's clock is not ours) or the body lacks
 * something the ledger records, the event asks Stripe as before. Webhooks
 * keep retrieving (cp-ledger-events.c): their bodies are pushed to us. */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-ledger-private.h"
#include "cp-sqlite-sync.h"
#include "cp-stripe-json.h"

/* How far Stripe's clock and ours may be apart */
#define CLOCK_MARGIN_US (120 * G_USEC_PER_SEC)

struct _CpLedgerPage
{
  GHashTable *charges;   /* charge id -> JsonObject: the page's newest snapshot of it */
  GHashTable *intents;   /* PaymentIntent ids that payment_intent.* events of the page name */
};

CpLedgerPage *
cp_ledger_page_new (GPtrArray *events,
                    guint      first,
                    guint      end)
{
  CpLedgerPage *page = g_new0 (CpLedgerPage, 1);

  page->charges = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) json_object_unref);
  page->intents = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = first; i < end; i++)
    {
      const CpStripeEvent *event = g_ptr_array_index (events, i);
      const char *type = event->type != NULL ? event->type : "";
      const char *id = cp_stripe_json_get_string (event->object, "id");

      if (id == NULL)
        continue;
      /* Keys point into the events, which outlive the page */
      if (g_str_equal (type, "charge.succeeded") || g_str_equal (type, "charge.failed") ||
          g_str_equal (type, "charge.updated") || g_str_equal (type, "charge.captured"))
        g_hash_table_replace (page->charges, (gpointer) id, json_object_ref (event->object));
      else if (g_str_has_prefix (type, "payment_intent."))
        g_hash_table_add (page->intents, (gpointer) id);
    }
  return page;
}

void
cp_ledger_page_free (CpLedgerPage *page)
{
  if (page == NULL)
    return;
  g_hash_table_unref (page->charges);
  g_hash_table_unref (page->intents);
  g_free (page);
}

typedef enum {
  ORDER_APPLY,   /* newer than what was applied */
  ORDER_STALE,   /* older: applying it would undo a newer state */
  ORDER_ASK,     /* cannot tell: ask Stripe */
} Order;

/* Stripe never moves a PaymentIntent out of these, nor a refund out of
 * failed or canceled (a succeeded refund can still fail) */
static gboolean
intent_final (const char *status)
{
  return g_strcmp0 (status, "succeeded") == 0 || g_strcmp0 (status, "canceled") == 0;
}

static gboolean
refund_final (const char *status)
{
  return g_strcmp0 (status, "failed") == 0 || g_strcmp0 (status, "canceled") == 0;
}

/* Where `event`'s snapshot of `object_id` (in `status`) stands against what
 * the ledger applied of it (`stored_status`, NULL if nothing). */
static gboolean
order_of (CpLedger             *self,
          const char           *object_id,
          const CpStripeEvent  *event,
          const char           *status,
          const char           *stored_status,
          gboolean            (*final) (const char *status),
          Order                *out_order,
          GError              **error)
{
  CpStore *store = cp_ledger_get_store (self);
  CpStripeVersion version;
  gint64 from = event->created * G_USEC_PER_SEC;
  gint64 until = from + G_USEC_PER_SEC;
  gboolean same = g_strcmp0 (status, stored_status) == 0;

  if (stored_status != NULL && final (stored_status) && !same)
    {
      *out_order = ORDER_STALE;
      return TRUE;
    }
  if (!CP_IS_SQLITE_STORE (store))
    {
      *out_order = ORDER_ASK;
      return TRUE;
    }
  if (!cp_sqlite_sync_get_version (CP_SQLITE_STORE (store), object_id, &version, error))
    return FALSE;

  if (!version.known)
    *out_order = ORDER_APPLY;
  else if (version.from_event)
    /* The walk is oldest first: only a reordered list could go back */
    *out_order = version.seen_us > from ? ORDER_STALE : ORDER_APPLY;
  else if (until + CLOCK_MARGIN_US <= version.seen_us)
    /* It happened before we asked; what we were told included it */
    *out_order = ORDER_STALE;
  else if (from >= version.seen_us + CLOCK_MARGIN_US)
    *out_order = ORDER_APPLY;
  else
    *out_order = same ? ORDER_APPLY : ORDER_ASK;
  return TRUE;
}

static CpPayment *
stored_payment (CpLedger    *self,
                const char  *payment_intent_id,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  CpStore *store = cp_ledger_get_store (self);
  CpPayment *payment = cp_store_get_payment_by_intent (store, payment_intent_id, &local_error);

  if (payment == NULL && !cp_ledger_is_not_found (local_error))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return payment;
}

static gboolean
apply_intent (CpLedger             *self,
              const CpStripeEvent  *event,
              CpLedgerPage         *page,
              gint64               *out_invoice_id,
              gboolean             *out_received,
              gboolean             *out_needs_request,
              GCancellable         *cancellable,
              GError              **error)
{
  g_autoptr(CpStripePaymentIntent) pi = cp_stripe_payment_intent_new_from_json (event->object);
  g_autoptr(CpPayment) existing = NULL;
  g_autoptr(GError) local_error = NULL;
  Order order;

  if (pi->id == NULL)
    return TRUE;
  /* Not ours (no invoice in its metadata): refused by the rules as it is */
  if (cp_ledger_metadata_invoice_id (pi->metadata) > 0)
    {
      existing = stored_payment (self, pi->id, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!order_of (self, pi->id, event, pi->status, existing != NULL ? existing->status : NULL,
                     intent_final, &order, error))
        return FALSE;
      if (order == ORDER_STALE)
        {
          g_debug ("Event %s: %s is older than what was applied of %s", event->id, pi->status, pi->id);
          return TRUE;
        }
      if (order == ORDER_ASK)
        {
          *out_needs_request = TRUE;
          return TRUE;
        }

      /* The card is on the charge, which PaymentIntent events do not expand:
       * from the page's charge event, or already recorded */
      if (pi->latest_charge_id != NULL)
        {
          JsonObject *charge = g_hash_table_lookup (page->charges, pi->latest_charge_id);

          if (charge != NULL)
            pi->latest_charge = cp_stripe_charge_new_from_json (charge);
          else if (existing == NULL || existing->card_brand == NULL ||
                   g_strcmp0 (existing->stripe_charge_id, pi->latest_charge_id) != 0)
            {
              *out_needs_request = TRUE;
              return TRUE;
            }
        }
    }

  return cp_ledger_apply_snapshot (self, pi, event, g_steal_pointer (&existing), out_invoice_id, out_received,
                                   cancellable, error);
}

gboolean
cp_ledger_apply_charge_details (CpLedger              *self,
                                CpPayment             *payment,
                                const CpStripeCharge  *charge,
                                GError               **error)
{
  CpStore *store = cp_ledger_get_store (self);
  gboolean was_disputed = payment->disputed;

  g_free (payment->stripe_charge_id);
  payment->stripe_charge_id = g_strdup (charge->id);
  g_free (payment->card_brand);
  payment->card_brand = g_strdup (charge->card_brand);
  g_free (payment->card_last4);
  payment->card_last4 = g_strdup (charge->card_last4);
  g_free (payment->receipt_url);
  payment->receipt_url = g_strdup (charge->receipt_url);
  payment->disputed = payment->disputed || charge->disputed;

  cp_ledger_fault_point (self, "before-store-write");
  if (!cp_store_begin (store, error))
    return FALSE;
  if (!cp_store_record_payment (store, payment, error))
    {
      cp_store_rollback (store);
      return FALSE;
    }
  if (payment->disputed && !was_disputed)
    {
      g_autoptr(CpInvoice) invoice = cp_store_get_invoice (store, payment->invoice_id, NULL);

      cp_ledger_audit (self, 0, "payment.disputed", invoice != NULL ? invoice->number : NULL, payment->amount,
                       payment->currency, payment->stripe_payment_intent_id);
    }
  if (!cp_store_commit (store, error))
    return FALSE;
  cp_ledger_fault_point (self, "after-store-write");
  return TRUE;
}

/* A charge's card and receipt, for the payment recorded for its
 * PaymentIntent (its own snapshot comes with the payment_intent.* events). */
static gboolean
apply_charge (CpLedger             *self,
              const CpStripeEvent  *event,
              GError              **error)
{
  const char *pi_id = cp_stripe_json_get_id (event->object, "payment_intent");
  g_autoptr(CpStripeCharge) charge = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GError) local_error = NULL;

  if (pi_id == NULL)
    return TRUE;
  payment = stored_payment (self, pi_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* Not recorded (yet): a snapshot on this page takes the card from the page */
  if (payment == NULL)
    return TRUE;
  charge = cp_stripe_charge_new_from_json (event->object);
  /* Another charge of the PaymentIntent is the one its snapshot names */
  if (charge->id == NULL ||
      (payment->stripe_charge_id != NULL && g_strcmp0 (payment->stripe_charge_id, charge->id) != 0))
    return TRUE;
  return cp_ledger_apply_charge_details (self, payment, charge, error);
}

static gboolean
apply_checkout (CpLedger             *self,
                const CpStripeEvent  *event,
                CpLedgerPage         *page,
                gboolean             *out_needs_request,
                GError              **error)
{
  const char *pi_id = cp_stripe_json_get_id (event->object, "payment_intent");
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GError) local_error = NULL;

  /* Its PaymentIntent's own events say what it came to */
  if (pi_id == NULL || g_hash_table_contains (page->intents, pi_id))
    return TRUE;
  payment = stored_payment (self, pi_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (payment == NULL || !cp_payment_status_counts (payment->status))
    *out_needs_request = TRUE;
  return TRUE;
}

/* The payment recorded here for `pi_id` (NULL when there is none) and the
 * refunds recorded for its invoice; FALSE only on a store error. */
static gboolean
stored_payment_refunds (CpLedger   *self,
                        const char *pi_id,
                        CpPayment **out_payment,
                        GPtrArray **out_refunds,
                        GError    **error)
{
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GError) local_error = NULL;

  *out_payment = NULL;
  *out_refunds = NULL;
  payment = stored_payment (self, pi_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (payment == NULL)
    return TRUE;
  *out_refunds = cp_store_list_refunds (cp_ledger_get_store (self), payment->invoice_id, error);
  if (*out_refunds == NULL)
    return FALSE;
  *out_payment = g_steal_pointer (&payment);
  return TRUE;
}

static gboolean
apply_refund (CpLedger             *self,
              const CpStripeEvent  *event,
              gint64               *out_invoice_id,
              gboolean             *out_needs_request,
              GCancellable         *cancellable,
              GError              **error)
{
  g_autoptr(CpStripeRefund) re = cp_stripe_refund_new_from_json (event->object);
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GPtrArray) known = NULL;
  g_autoptr(CpRefund) refund = NULL;
  const char *stored_status = NULL;
  Order order;

  if (re->id == NULL)
    return TRUE;
  if (re->payment_intent != NULL)
    {
      if (!stored_payment_refunds (self, re->payment_intent, &payment, &known, error))
        return FALSE;
      /* Whether the payment is ours is for Stripe to say */
      if (payment == NULL)
        {
          *out_needs_request = TRUE;
          return TRUE;
        }
      for (guint i = 0; i < known->len; i++)
        {
          CpRefund *r = g_ptr_array_index (known, i);

          if (g_strcmp0 (r->stripe_refund_id, re->id) == 0)
            stored_status = r->status;
        }
      if (!order_of (self, re->id, event, re->status, stored_status, refund_final, &order, error))
        return FALSE;
      if (order == ORDER_STALE)
        {
          g_debug ("Event %s: %s is older than what was applied of %s", event->id, re->status, re->id);
          return TRUE;
        }
      if (order == ORDER_ASK)
        {
          *out_needs_request = TRUE;
          return TRUE;
        }
    }
  refund = cp_ledger_apply_stripe_refund (self, re, 0, NULL, event->created * G_USEC_PER_SEC, event->id,
                                          out_invoice_id, cancellable, error);
  return refund != NULL;
}

/* The refunds themselves come as refund.* events; this one only asks
 * Stripe when those recorded cannot add up to what the charge says was
 * refunded. */
static gboolean
apply_charge_refunded (CpLedger             *self,
                       const CpStripeEvent  *event,
                       gboolean             *out_needs_request,
                       GError              **error)
{
  const char *pi_id = cp_stripe_json_get_id (event->object, "payment_intent");
  gint64 refunded = cp_stripe_json_get_int (event->object, "amount_refunded", -1);
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GPtrArray) known = NULL;
  gint64 recorded = 0;
  gint64 undone = 0;

  if (pi_id == NULL)
    return TRUE;
  if (!stored_payment_refunds (self, pi_id, &payment, &known, error))
    return FALSE;
  if (payment == NULL)
    {
      *out_needs_request = TRUE;
      return TRUE;
    }
  for (guint i = 0; i < known->len; i++)
    {
      CpRefund *r = g_ptr_array_index (known, i);

      if (r->payment_id != payment->id)
        continue;
      if (cp_refund_status_counts (r->status))
        recorded += r->amount;
      else
        undone += r->amount;
    }
  /* Refunds that failed since may still count in the charge's snapshot */
  if (refunded < recorded || refunded > recorded + undone)
    *out_needs_request = TRUE;
  return TRUE;
}

static gboolean
apply_dispute (CpLedger             *self,
               const CpStripeEvent  *event,
               gint64               *out_invoice_id,
               gboolean             *out_needs_request,
               GError              **error)
{
  const char *pi_id = cp_stripe_json_get_id (event->object, "payment_intent");
  CpStore *store = cp_ledger_get_store (self);
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GError) local_error = NULL;

  if (pi_id == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The dispute names no PaymentIntent"));
      return FALSE;
    }
  payment = stored_payment (self, pi_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (payment == NULL)
    {
      *out_needs_request = TRUE;
      return TRUE;
    }
  *out_invoice_id = payment->invoice_id;
  if (payment->disputed)
    return TRUE;

  payment->disputed = TRUE;
  invoice = cp_store_get_invoice (store, payment->invoice_id, error);
  if (invoice == NULL || !cp_store_record_payment (store, payment, error))
    return FALSE;
  cp_ledger_audit (self, 0, "payment.disputed", invoice->number, payment->amount, payment->currency, pi_id);
  return TRUE;
}

gboolean
cp_ledger_apply_event_body (CpLedger             *self,
                            const CpStripeEvent  *event,
                            CpLedgerPage         *page,
                            GCancellable         *cancellable,
                            gint64               *out_invoice_id,
                            gboolean             *out_applied,
                            gboolean             *out_received,
                            gboolean             *out_needs_request,
                            GError              **error)
{
  CpStore *store;
  g_autoptr(GError) local_error = NULL;
  const char *type;
  gint64 invoice_id = 0;
  gboolean received = FALSE;
  gboolean needs_request = FALSE;
  gboolean ok = TRUE;
  gboolean done;

  g_return_val_if_fail (CP_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (event != NULL && event->id != NULL, FALSE);
  g_return_val_if_fail (page != NULL, FALSE);

  store = cp_ledger_get_store (self);
  *out_invoice_id = 0;
  *out_applied = FALSE;
  *out_received = FALSE;
  *out_needs_request = FALSE;

  done = cp_store_event_applied (store, event->id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (done)
    return TRUE;

  type = event->type != NULL ? event->type : "";
  if (g_str_has_prefix (type, "payment_intent."))
    ok = apply_intent (self, event, page, &invoice_id, &received, &needs_request, cancellable, &local_error);
  else if (g_str_equal (type, "charge.succeeded") || g_str_equal (type, "charge.failed"))
    ok = apply_charge (self, event, &local_error);
  else if (g_str_equal (type, "checkout.session.completed"))
    ok = apply_checkout (self, event, page, &needs_request, &local_error);
  else if (g_str_equal (type, "refund.created") || g_str_equal (type, "refund.updated") ||
           g_str_equal (type, "refund.failed") || g_str_equal (type, "charge.refund.updated"))
    ok = apply_refund (self, event, &invoice_id, &needs_request, cancellable, &local_error);
  else if (g_str_equal (type, "charge.refunded"))
    ok = apply_charge_refunded (self, event, &needs_request, &local_error);
  else if (g_str_has_prefix (type, "charge.dispute."))
    ok = apply_dispute (self, event, &invoice_id, &needs_request, &local_error);
  else
    return TRUE;  /* Not about money on an invoice */

  if (ok && needs_request)
    {
      *out_needs_request = TRUE;
      return TRUE;
    }
  if (!ok)
    {
      if (!cp_ledger_event_not_ours (event->id, type, &local_error, error))
        return FALSE;
      invoice_id = 0;
      received = FALSE;
    }

  if (!cp_store_mark_event_applied (store, event->id, type, error))
    return FALSE;
  *out_invoice_id = invoice_id;
  *out_applied = TRUE;
  *out_received = received;
  return TRUE;
}
