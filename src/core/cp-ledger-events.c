/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ledger's event handler (poller and webhooks alike) and verify. */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-ledger-private.h"
#include "cp-stripe-client-private.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-refunds.h"

/* Events */

static const char *
object_string (JsonObject *object,
               const char *member)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  node = json_object_get_member (object, member);
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL);
  return NULL;
}

/* What Stripe says now about `pi_id`, retrieved here. */
static CpPayment *
apply_intent_now (CpLedger          *self,
                  const char        *pi_id,
                  gint64            *out_invoice_id,
                  gboolean          *out_received,
                  GCancellable      *cancellable,
                  GError           **error)
{
  return cp_ledger_retrieve_and_apply_full (self, pi_id, out_invoice_id, out_received, cancellable, error);
}

static gboolean
apply_dispute (CpLedger          *self,
               JsonObject        *dispute,
               gint64        *out_invoice_id,
               GCancellable  *cancellable,
               GError       **error)
{
  const char *pi_id = object_string (dispute, "payment_intent");
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpInvoice) invoice = NULL;

  if (pi_id == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("The dispute names no PaymentIntent"));
      return FALSE;
    }
  payment = apply_intent_now (self, pi_id, out_invoice_id, NULL, cancellable, error);
  if (payment == NULL)
    return FALSE;
  if (payment->disputed)
    {
      if (out_invoice_id != NULL)
        *out_invoice_id = payment->invoice_id;
      return TRUE;
    }

  /* The charge may not say so yet; the dispute does */
  payment->disputed = TRUE;
  invoice = cp_store_get_invoice (cp_ledger_get_store (self), payment->invoice_id, error);
  if (invoice == NULL || !cp_store_record_payment (cp_ledger_get_store (self), payment, error))
    return FALSE;
  cp_ledger_audit (self, 0, "payment.disputed", invoice->number, payment->amount, payment->currency, pi_id);
  if (out_invoice_id != NULL)
    *out_invoice_id = payment->invoice_id;
  return TRUE;
}

static gboolean
apply_charge_refunds (CpLedger          *self,
                      const char        *pi_id,
                      gint64            *out_invoice_id,
                      GCancellable      *cancellable,
                      GError           **error)
{
  g_autoptr(CpStripeList) list = NULL;
  gint64 asked = g_get_real_time ();

  list = cp_stripe_refund_list (cp_ledger_get_client (self), pi_id, 100, NULL, cancellable, NULL, error);
  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < list->items->len; i++)
    {
      g_autoptr(CpRefund) refund = NULL;
      gint64 changed = 0;

      refund = cp_ledger_apply_stripe_refund (self, g_ptr_array_index (list->items, i), 0, NULL, asked, NULL, &changed,
                                              cancellable, error);
      if (refund == NULL)
        return FALSE;
      if (changed > 0 && out_invoice_id != NULL)
        *out_invoice_id = changed;
    }
  return TRUE;
}

gboolean
cp_ledger_apply_event (CpLedger             *self,
                       const CpStripeEvent  *event,
                       GCancellable         *cancellable,
                       gint64               *out_invoice_id,
                       GError              **error)
{
  return cp_ledger_apply_event_full (self, event, cancellable, out_invoice_id, NULL, NULL, error);
}

gboolean
cp_ledger_apply_event_full (CpLedger             *self,
                            const CpStripeEvent  *event,
                            GCancellable         *cancellable,
                            gint64               *out_invoice_id,
                            gboolean             *out_applied,
                            gboolean             *out_received,
                            GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *type;
  gint64 invoice_id = 0;
  gboolean received = FALSE;
  gboolean ok = TRUE;
  gboolean done;

  g_return_val_if_fail (CP_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (event != NULL && event->id != NULL, FALSE);

  if (out_invoice_id != NULL)
    *out_invoice_id = 0;
  if (out_applied != NULL)
    *out_applied = FALSE;
  if (out_received != NULL)
    *out_received = FALSE;

  done = cp_store_event_applied (cp_ledger_get_store (self), event->id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (done)
    return TRUE;

  type = event->type != NULL ? event->type : "";

  if (g_str_has_prefix (type, "payment_intent."))
    {
      /* Not the event body (a webhook's may be forged or late): what Stripe
       * says now, as we ask it. The sync's listed events use their bodies
       * (cp-ledger-bodies.c). */
      const char *pi_id = object_string (event->object, "id");
      g_autoptr(CpPayment) payment = NULL;

      if (pi_id != NULL)
        {
          payment = apply_intent_now (self, pi_id, &invoice_id, &received, cancellable, &local_error);
          ok = payment != NULL;
        }
    }
  else if (g_str_equal (type, "checkout.session.completed") || g_str_equal (type, "charge.succeeded") ||
           g_str_equal (type, "charge.failed"))
    {
      const char *pi_id = object_string (event->object, "payment_intent");
      g_autoptr(CpPayment) payment = NULL;

      if (pi_id != NULL)
        {
          payment = apply_intent_now (self, pi_id, &invoice_id, &received, cancellable, &local_error);
          ok = payment != NULL;
        }
    }
  else if (g_str_equal (type, "refund.created") || g_str_equal (type, "refund.updated") ||
           g_str_equal (type, "refund.failed") || g_str_equal (type, "charge.refund.updated"))
    {
      const char *refund_id = object_string (event->object, "id");
      g_autoptr(CpStripeRefund) re = NULL;
      g_autoptr(CpRefund) refund = NULL;

      if (refund_id != NULL)
        {
          gint64 asked = g_get_real_time ();

          re = cp_stripe_refund_retrieve (cp_ledger_get_client (self), refund_id, cancellable, NULL, &local_error);
          if (re != NULL)
            refund = cp_ledger_apply_stripe_refund (self, re, 0, NULL, asked, NULL, &invoice_id, cancellable,
                                                    &local_error);
          ok = refund != NULL;
        }
    }
  else if (g_str_equal (type, "charge.refunded"))
    {
      const char *pi_id = object_string (event->object, "payment_intent");

      if (pi_id != NULL)
        ok = apply_charge_refunds (self, pi_id, &invoice_id, cancellable, &local_error);
    }
  else if (g_str_equal (type, "charge.dispute.created") || g_str_equal (type, "charge.dispute.updated") ||
           g_str_equal (type, "charge.dispute.closed"))
    {
      ok = apply_dispute (self, event->object, &invoice_id, cancellable, &local_error);
    }
  else
    {
      /* Not about money on an invoice */
      return TRUE;
    }

  if (!ok)
    {
      if (!cp_ledger_event_not_ours (event->id, type, &local_error, error))
        return FALSE;
      invoice_id = 0;
      received = FALSE;
    }

  if (!cp_store_mark_event_applied (cp_ledger_get_store (self), event->id, type, error))
    return FALSE;
  if (out_invoice_id != NULL)
    *out_invoice_id = invoice_id;
  if (out_applied != NULL)
    *out_applied = TRUE;
  if (out_received != NULL)
    *out_received = received;
  return TRUE;
}

gboolean
cp_ledger_apply_payment_intent (CpLedger                     *self,
                                const CpStripePaymentIntent  *pi,
                                GCancellable                 *cancellable,
                                gint64                       *out_invoice_id,
                                gboolean                     *out_received,
                                GError                      **error)
{
  g_autoptr(CpPayment) payment = NULL;

  g_return_val_if_fail (CP_IS_LEDGER (self), FALSE);
  payment = cp_ledger_retrieve_and_apply_full (self, pi->id, out_invoice_id, out_received, cancellable, error);
  return payment != NULL;
}

gboolean
cp_ledger_apply_refund (CpLedger              *self,
                        const CpStripeRefund  *refund,
                        GCancellable          *cancellable,
                        gint64                *out_invoice_id,
                        GError               **error)
{
  g_autoptr(CpStripeRefund) re = NULL;
  g_autoptr(CpRefund) applied = NULL;

  gint64 asked = g_get_real_time ();

  g_return_val_if_fail (CP_IS_LEDGER (self), FALSE);
  re = cp_stripe_refund_retrieve (cp_ledger_get_client (self), refund->id, cancellable, NULL, error);
  if (re == NULL)
    return FALSE;
  applied = cp_ledger_apply_stripe_refund (self, re, 0, NULL, asked, NULL, out_invoice_id, cancellable, error);
  return applied != NULL;
}

/* Verify */

static void
add_difference (GPtrArray  *differences,
                const char *invoice_number,
                const char *stripe_id,
                const char *what)
{
  CpLedgerDifference *d = g_new0 (CpLedgerDifference, 1);

  d->invoice_number = g_strdup (invoice_number);
  d->stripe_id = g_strdup (stripe_id);
  d->what = g_strdup (what);
  g_ptr_array_add (differences, d);
}

static const char *
invoice_number_of (CpLedger   *self,
                   GHashTable *numbers,
                   gint64      invoice_id)
{
  char *number = g_hash_table_lookup (numbers, &invoice_id);

  if (number == NULL)
    {
      g_autoptr(CpInvoice) invoice = cp_store_get_invoice (cp_ledger_get_store (self), invoice_id, NULL);
      gint64 *key;

      if (invoice == NULL)
        return NULL;
      key = g_new (gint64, 1);
      *key = invoice_id;
      number = g_strdup (invoice->number);
      g_hash_table_insert (numbers, key, number);
    }
  return number;
}

GPtrArray *
cp_ledger_verify (CpLedger      *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) differences = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_ledger_difference_free);
  g_autoptr(GHashTable) stripe_pis = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) stripe_refunds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autofree char *after = NULL;
  gboolean more = TRUE;

  g_return_val_if_fail (CP_IS_LEDGER (self), NULL);

  /* Stripe's PaymentIntents against ours */
  while (more)
    {
      g_autoptr(CpStripeList) page = cp_stripe_payment_intent_list (cp_ledger_get_client (self), NULL, 100, after,
                                                                     cancellable, NULL, error);
      if (page == NULL)
        return NULL;
      for (guint i = 0; i < page->items->len; i++)
        {
          CpStripePaymentIntent *pi = g_ptr_array_index (page->items, i);
          gint64 invoice_id = cp_ledger_metadata_invoice_id (pi->metadata);
          g_autoptr(CpPayment) local = NULL;
          const char *number;

          g_hash_table_add (stripe_pis, g_strdup (pi->id));
          if (invoice_id <= 0)
            continue;
          number = invoice_number_of (self, numbers, invoice_id);
          local = cp_store_get_payment_by_intent (cp_ledger_get_store (self), pi->id, NULL);
          if (number == NULL)
            {
              if (cp_payment_status_counts (pi->status))
                add_difference (differences, NULL, pi->id, _("payment for an invoice this database does not have"));
              continue;
            }
          if (local == NULL)
            {
              if (cp_payment_status_counts (pi->status))
                add_difference (differences, number, pi->id, _("payment missing locally"));
              continue;
            }
          if (cp_payment_status_counts (pi->status) != cp_payment_status_counts (local->status))
            {
              g_autofree char *what = g_strdup_printf (_("status differs: here %s, on Stripe %s"),
                                                       local->status, pi->status);
              add_difference (differences, number, pi->id, what);
            }
          else if (cp_payment_status_counts (pi->status) && pi->amount != local->amount)
            {
              g_autofree char *what = g_strdup_printf (_("amount differs: here %" PRId64
                                                         ", on Stripe %" PRId64),
                                                       local->amount, pi->amount);
              add_difference (differences, number, pi->id, what);
            }
        }
      more = page->has_more && page->items->len > 0;
      if (more)
        {
          g_free (after);
          after = g_strdup (((CpStripePaymentIntent *) g_ptr_array_index (page->items, page->items->len - 1))->id);
        }
    }

  payments = cp_store_list_payments (cp_ledger_get_store (self), 0, error);
  if (payments == NULL)
    return NULL;
  for (guint i = 0; i < payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (payments, i);

      if (cp_payment_status_counts (payment->status) &&
          !g_hash_table_contains (stripe_pis, payment->stripe_payment_intent_id))
        add_difference (differences, invoice_number_of (self, numbers, payment->invoice_id),
                        payment->stripe_payment_intent_id, _("payment recorded here but not on Stripe"));
    }

  /* Refunds */
  g_clear_pointer (&after, g_free);
  more = TRUE;
  while (more)
    {
      g_autoptr(CpStripeList) page = cp_stripe_refund_list (cp_ledger_get_client (self), NULL, 100, after, cancellable, NULL, error);
      if (page == NULL)
        return NULL;
      for (guint i = 0; i < page->items->len; i++)
        {
          CpStripeRefund *re = g_ptr_array_index (page->items, i);

          g_hash_table_insert (stripe_refunds, g_strdup (re->id), g_strdup (re->status));
        }
      more = page->has_more && page->items->len > 0;
      if (more)
        {
          g_free (after);
          after = g_strdup (((CpStripeRefund *) g_ptr_array_index (page->items, page->items->len - 1))->id);
        }
    }

  refunds = cp_store_list_refunds (cp_ledger_get_store (self), 0, error);
  if (refunds == NULL)
    return NULL;
  for (guint i = 0; i < refunds->len; i++)
    {
      CpRefund *refund = g_ptr_array_index (refunds, i);
      const char *status = g_hash_table_lookup (stripe_refunds, refund->stripe_refund_id);
      const char *number = invoice_number_of (self, numbers, refund->invoice_id);

      if (status == NULL)
        add_difference (differences, number, refund->stripe_refund_id, _("refund recorded here but not on Stripe"));
      else if (cp_refund_status_counts (status) != cp_refund_status_counts (refund->status))
        {
          g_autofree char *what = g_strdup_printf (_("refund status differs: here %s, on Stripe %s"),
                                                   refund->status, status);
          add_difference (differences, number, refund->stripe_refund_id, what);
        }
      g_hash_table_remove (stripe_refunds, refund->stripe_refund_id);
    }
  {
    /* Stripe refunds we have not recorded, on payments we have */
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, stripe_refunds);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        g_autoptr(CpStripeRefund) re = cp_stripe_refund_retrieve (cp_ledger_get_client (self), key, cancellable, NULL, NULL);
        g_autoptr(CpPayment) local = NULL;

        if (re == NULL || re->payment_intent == NULL || !cp_refund_status_counts (re->status))
          continue;
        local = cp_store_get_payment_by_intent (cp_ledger_get_store (self), re->payment_intent, NULL);
        if (local != NULL)
          add_difference (differences, invoice_number_of (self, numbers, local->invoice_id), re->id,
                          _("refund missing locally"));
      }
  }

  return g_steal_pointer (&differences);
}
