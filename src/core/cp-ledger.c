/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ledger: money actions and the facts from Stripe that settle them.
 *
 * Stripe is the source of truth for money; the store is our record of it.
 * Every path that learns about a PaymentIntent (our own confirmation, the
 * event poller, a webhook, verify) ends in apply_payment_intent() with a
 * PaymentIntent we retrieved ourselves or, for the sync's authenticated list
 * of events, the event's own snapshot; every refund in
 * cp_ledger_apply_stripe_refund(), so the rules (which invoice, which
 * currency, once only) live in one place. Each records the version it
 * applied (cp-sqlite-sync.c) so an older snapshot never overwrites it.
 * No store transaction is ever held across a network call. */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-ledger-private.h"
#include "cp-sqlite-sync.h"
#include "cp-stripe-customers.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-payment-link.h"
#include "cp-stripe-refunds.h"

/* An attempt younger than this still holds its amount against the balance */
#define ATTEMPT_HOLD_SECONDS (30 * 60)

struct _CpLedger
{
  GObject          parent_instance;

  CpStore         *store;
  CpStripeClient  *client;
  CpLedgerFaultHook fault_hook;
  gpointer         fault_hook_data;
};

G_DEFINE_FINAL_TYPE (CpLedger, cp_ledger, G_TYPE_OBJECT)

/* Records */

void
cp_payment_attempt_free (CpPaymentAttempt *attempt)
{
  if (attempt == NULL)
    return;
  g_free (attempt->invoice_number);
  g_free (attempt->currency);
  g_free (attempt->payment_intent_id);
  g_free (attempt->client_secret);
  g_free (attempt->attempt_id);
  g_free (attempt);
}

void
cp_payment_link_info_free (CpPaymentLinkInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->url);
  g_free (info->currency);
  g_free (info);
}

void
cp_ledger_difference_free (CpLedgerDifference *difference)
{
  if (difference == NULL)
    return;
  g_free (difference->invoice_number);
  g_free (difference->stripe_id);
  g_free (difference->what);
  g_free (difference);
}

/* Helpers */

gboolean
cp_ledger_require_supervisor (const CpStaff  *staff,
                              const char     *action,
                              GError        **error)
{
  if (staff == NULL || !staff->active || staff->role == CP_ROLE_CLERK)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_PERMISSION,
                   _("Only a supervisor or an administrator may %s"), action);
      return FALSE;
    }
  return TRUE;
}

static gboolean
require_staff (const CpStaff  *staff,
               GError        **error)
{
  if (staff == NULL || !staff->active)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_PERMISSION,
                           _("Sign in as a member of staff first"));
      return FALSE;
    }
  return TRUE;
}

static char *
now_iso (gint64 offset_seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, offset_seconds);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

gint64
cp_ledger_metadata_invoice_id (JsonObject *metadata)
{
  const char *text;
  gint64 id = 0;

  if (metadata == NULL || !json_object_has_member (metadata, "invoice_id"))
    return 0;
  text = json_object_get_string_member_with_default (metadata, "invoice_id", NULL);
  if (text == NULL || !g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, &id, NULL))
    return 0;
  return id;
}

gboolean
cp_ledger_is_not_found (const GError *error)
{
  return g_error_matches (error, CP_ERROR, CP_ERROR_NOT_FOUND);
}

gboolean
cp_ledger_event_not_ours (const char  *event_id,
                          const char  *type,
                          GError     **event_error,
                          GError     **error)
{
  if (!g_error_matches (*event_error, CP_ERROR, CP_ERROR_INVALID_INPUT))
    {
      g_propagate_error (error, g_steal_pointer (event_error));
      return FALSE;
    }
  g_debug ("Event %s (%s) changes nothing here: %s", event_id, type, (*event_error)->message);
  return TRUE;
}

/* One audit line per money action: who, what, which invoice, how much. */
void
cp_ledger_audit (CpLedger    *self,
       gint64       staff_id,
       const char  *action,
       const char  *invoice_number,
       gint64       amount,
       const char  *currency,
       const char  *stripe_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *details = g_strdup_printf ("amount=%" G_GINT64_FORMAT " currency=%s stripe=%s",
                                              amount, currency != NULL ? currency : "",
                                              stripe_id != NULL ? stripe_id : "");

  if (!cp_store_audit_append (self->store, staff_id, action, invoice_number, details, &error))
    g_warning ("Could not write the audit log: %s", error->message);
}

static void
fault_point (CpLedger   *self,
             const char *point)
{
  if (self->fault_hook != NULL)
    self->fault_hook (point, self->fault_hook_data);
}

void
cp_ledger_fault_point (CpLedger   *self,
                       const char *point)
{
  fault_point (self, point);
}

/* While this thread applies a page of events in one transaction, the links
 * of the invoices it changes are seen to afterwards: revoking one is a
 * request to Stripe, never made while the store is held. The invoice is
 * queued in the store in the page's transaction, so a crash after the
 * commit leaves it queued and the next sync sees to it. */
typedef struct {
  CpLedger *ledger;
  GArray   *invoice_ids;
} DeferredLinks;

static void
deferred_links_free (gpointer data)
{
  DeferredLinks *deferred = data;

  if (deferred == NULL)
    return;
  g_array_unref (deferred->invoice_ids);
  g_free (deferred);
}

static GPrivate deferred_links = G_PRIVATE_INIT (deferred_links_free);

static gboolean maintain_link_now (CpLedger *self, gint64 invoice_id, GCancellable *cancellable);

void
cp_ledger_maintain_link (CpLedger     *self,
                         gint64        invoice_id,
                         GCancellable *cancellable)
{
  DeferredLinks *deferred = g_private_get (&deferred_links);

  if (deferred != NULL && deferred->ledger == self)
    {
      g_autoptr(CpPaymentLink) link = NULL;
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < deferred->invoice_ids->len; i++)
        if (g_array_index (deferred->invoice_ids, gint64, i) == invoice_id)
          return;
      /* Only an active link can need revoking (a new one is made for what is due) */
      link = cp_store_get_active_payment_link (self->store, invoice_id, &error);
      if (link == NULL && error == NULL)
        return;
      g_clear_error (&error);
      g_array_append_val (deferred->invoice_ids, invoice_id);
      if (CP_IS_SQLITE_STORE (self->store) &&
          !cp_sqlite_sync_queue_link_check (CP_SQLITE_STORE (self->store), invoice_id, &error))
        g_warning ("Could not queue the link check of invoice %" G_GINT64_FORMAT ": %s", invoice_id,
                   error->message);
      return;
    }
  maintain_link_now (self, invoice_id, cancellable);
}

/* Sees to a queued invoice's link; dequeued once nothing is left to do. */
static void
check_queued_link (CpLedger     *self,
                   gint64        invoice_id,
                   GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (!maintain_link_now (self, invoice_id, cancellable))
    return;
  if (!cp_sqlite_sync_link_check_done (CP_SQLITE_STORE (self->store), invoice_id, &error))
    g_warning ("Could not clear the link check of invoice %" G_GINT64_FORMAT ": %s", invoice_id,
               error->message);
}

void
cp_ledger_check_queued_links (CpLedger     *self,
                              GCancellable *cancellable)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CP_IS_LEDGER (self));
  if (!CP_IS_SQLITE_STORE (self->store))
    return;
  ids = cp_sqlite_sync_list_link_checks (CP_SQLITE_STORE (self->store), &error);
  if (ids == NULL)
    {
      g_warning ("Could not read the queued link checks: %s", error->message);
      return;
    }
  for (guint i = 0; i < ids->len; i++)
    check_queued_link (self, g_array_index (ids, gint64, i), cancellable);
}

void
cp_ledger_defer_links (CpLedger *self)
{
  DeferredLinks *deferred;

  g_return_if_fail (CP_IS_LEDGER (self));
  g_return_if_fail (g_private_get (&deferred_links) == NULL);

  deferred = g_new0 (DeferredLinks, 1);
  deferred->ledger = self;
  deferred->invoice_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_private_set (&deferred_links, deferred);
}

void
cp_ledger_maintain_deferred_links (CpLedger     *self,
                                   GCancellable *cancellable)
{
  DeferredLinks *deferred = g_private_get (&deferred_links);
  g_autoptr(GArray) ids = NULL;

  g_return_if_fail (CP_IS_LEDGER (self));
  if (deferred == NULL || deferred->ledger != self)
    return;
  ids = g_array_ref (deferred->invoice_ids);
  g_private_replace (&deferred_links, NULL);
  /* A crash from here on leaves the checks queued */
  if (ids->len > 0)
    fault_point (self, "before-link-checks");
  for (guint i = 0; i < ids->len; i++)
    {
      if (CP_IS_SQLITE_STORE (self->store))
        check_queued_link (self, g_array_index (ids, gint64, i), cancellable);
      else
        maintain_link_now (self, g_array_index (ids, gint64, i), cancellable);
    }
}

/* Links: revoked once their amount no longer matches what is due. FALSE
 * when that is still to be done (Stripe or the store failed). */
static gboolean
maintain_link_now (CpLedger     *self,
                   gint64        invoice_id,
                   GCancellable *cancellable)
{
  g_autoptr(CpPaymentLink) link = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpStripePaymentLink) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *operation = NULL;
  const char *reason;

  link = cp_store_get_active_payment_link (self->store, invoice_id, &error);
  if (link == NULL)
    return error == NULL;
  invoice = cp_store_get_invoice (self->store, invoice_id, &error);
  if (invoice == NULL)
    return cp_ledger_is_not_found (error);

  if (invoice->voided)
    reason = "voided";
  else if (invoice->balance_due <= 0)
    reason = "paid";
  else if (invoice->balance_due != link->amount)
    reason = "balance changed";
  else
    return TRUE;

  operation = g_strdup_printf ("plink.deactivate:%s", link->id);
  done = cp_stripe_payment_link_deactivate (self->client, link->id, operation, cancellable, NULL, &error);
  if (done == NULL)
    {
      /* Left active here so the next change (or queued check) tries again */
      g_debug ("Could not deactivate payment link %s: %s", link->id, error->message);
      return FALSE;
    }
  if (!cp_store_revoke_payment_link (self->store, link->id, reason, &error))
    {
      g_warning ("Could not mark payment link %s revoked: %s", link->id, error->message);
      return FALSE;
    }
  cp_ledger_audit (self, 0, "link.revoke", invoice->number, link->amount, link->currency, link->id);
  return TRUE;
}

/* Versions: what was applied of each Stripe object, and when it was so */

/* `seen_us` 0: not known (nothing is noted) */
gboolean
cp_ledger_note_version (CpLedger    *self,
                        const char  *object_id,
                        gint64       seen_us,
                        const char  *event_id,
                        GError     **error)
{
  if (seen_us <= 0 || object_id == NULL || !CP_IS_SQLITE_STORE (self->store))
    return TRUE;
  return cp_sqlite_sync_note_version (CP_SQLITE_STORE (self->store), object_id, seen_us, event_id, error);
}

/* The invoice as far as a payment that does not newly succeed needs it
 * (number and currency: no lines, no sums), or all of it when `full`. */
CpInvoice *
cp_ledger_read_invoice (CpLedger  *self,
                        gint64     invoice_id,
                        gboolean   full,
                        GError   **error)
{
  g_autoptr(CpInvoice) invoice = NULL;

  if (full || !CP_IS_SQLITE_STORE (self->store))
    return cp_store_get_invoice (self->store, invoice_id, error);
  invoice = cp_invoice_new ();
  invoice->id = invoice_id;
  g_clear_pointer (&invoice->currency, g_free);
  if (!cp_sqlite_sync_invoice_brief (CP_SQLITE_STORE (self->store), invoice_id, &invoice->number,
                                     &invoice->currency, error))
    return NULL;
  return g_steal_pointer (&invoice);
}

/* Payments */

static CpPaymentChannel
guess_channel (CpLedger                    *self,
               gint64                       invoice_id,
               const CpStripePaymentIntent *pi)
{
  g_autoptr(GPtrArray) links = cp_store_list_payment_links (self->store, invoice_id, NULL);

  for (guint i = 0; links != NULL && i < links->len; i++)
    {
      CpPaymentLink *link = g_ptr_array_index (links, i);

      if (link->amount == pi->amount)
        return CP_PAYMENT_CHANNEL_LINK;
    }
  return CP_PAYMENT_CHANNEL_DESK;
}

/* Records what Stripe says about `pi` (which the caller retrieved from
 * Stripe at `seen_us`, or an event's snapshot: `event_id`). A PaymentIntent
 * that does not belong to an invoice of ours in the invoice's currency is
 * refused with CP_ERROR_INVALID_INPUT and not counted.
 * `channel` -1 guesses it for PaymentIntents made elsewhere. */
static CpPayment *
apply_payment_intent (CpLedger                     *self,
                      const CpStripePaymentIntent  *pi,
                      int                           channel,
                      gint64                        staff_id,
                      const char                   *attempt_id,
                      gint64                        seen_us,
                      const char                   *event_id,
                      gboolean                      have_existing,
                      CpPayment                    *known,
                      gint64                       *out_invoice_id,
                      gboolean                     *out_received,
                      GCancellable                 *cancellable,
                      GError                      **error)
{
  g_autoptr(CpPayment) existing = known;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 invoice_id = cp_ledger_metadata_invoice_id (pi->metadata);
  gboolean newly_succeeded, newly_disputed, changed;

  if (out_invoice_id != NULL)
    *out_invoice_id = 0;
  if (out_received != NULL)
    *out_received = FALSE;

  if (invoice_id <= 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("PaymentIntent %s names no invoice"), pi->id);
      return NULL;
    }

  if (!have_existing)
    existing = cp_store_get_payment_by_intent (self->store, pi->id, &local_error);
  if (existing == NULL && local_error != NULL && !cp_ledger_is_not_found (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_clear_error (&local_error);

  if (existing != NULL && existing->invoice_id != invoice_id)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("PaymentIntent %s was made for another invoice than its metadata now names"), pi->id);
      return NULL;
    }

  invoice = cp_ledger_read_invoice (self, invoice_id, FALSE, &local_error);
  if (invoice == NULL)
    {
      if (cp_ledger_is_not_found (local_error))
        g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                     _("PaymentIntent %s names an invoice this database does not have"), pi->id);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (pi->currency == NULL || g_ascii_strcasecmp (pi->currency, invoice->currency) != 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("PaymentIntent %s is in %s but invoice %s is in %s"), pi->id,
                   pi->currency != NULL ? pi->currency : "?", invoice->number, invoice->currency);
      return NULL;
    }

  payment = cp_stripe_payment_intent_to_payment (pi, invoice_id);
  g_free (payment->currency);
  payment->currency = g_ascii_strup (invoice->currency, -1);
  if (existing == NULL)
    {
      payment->channel = channel >= 0 ? (CpPaymentChannel) channel : guess_channel (self, invoice_id, pi);
      payment->staff_id = staff_id;
      payment->attempt_id = g_strdup (attempt_id);
    }

  newly_succeeded = cp_payment_status_counts (payment->status) &&
                    (existing == NULL || !cp_payment_status_counts (existing->status));
  newly_disputed = payment->disputed && (existing == NULL || !existing->disputed);
  changed = existing == NULL || newly_succeeded || newly_disputed ||
            g_strcmp0 (existing->status, payment->status) != 0 || existing->amount != payment->amount;

  /* The money was taken, so it is recorded; the excess is for a refund */
  if (newly_succeeded)
    {
      g_clear_pointer (&invoice, cp_invoice_free);
      invoice = cp_ledger_read_invoice (self, invoice_id, TRUE, error);
      if (invoice == NULL)
        return NULL;
      if (payment->amount > invoice->balance_due)
        payment->overpaid = TRUE;
    }

  fault_point (self, "before-store-write");
  if (!cp_store_begin (self->store, error))
    return NULL;
  if (!cp_store_record_payment (self->store, payment, error) ||
      !cp_ledger_note_version (self, pi->id, seen_us, event_id, error))
    {
      cp_store_rollback (self->store);
      return NULL;
    }
  /* The database remembers whether its payments are test or live money: the
   * preferences refuse live keys on a database that holds test payments. */
  if (existing == NULL)
    {
      g_autofree char *mode = cp_store_get_meta (self->store, "stripe-mode");

      if (mode == NULL &&
          !cp_store_set_meta (self->store, "stripe-mode",
                              cp_stripe_config_is_test_mode (cp_stripe_client_get_config (self->client))
                              ? "test" : "live", error))
        {
          cp_store_rollback (self->store);
          return NULL;
        }
    }
  if (newly_succeeded)
    cp_ledger_audit (self, existing != NULL ? existing->staff_id : staff_id, "payment.succeeded",
           invoice->number, payment->amount, payment->currency, pi->id);
  if (payment->overpaid && newly_succeeded)
    cp_ledger_audit (self, 0, "payment.overpaid", invoice->number,
           payment->amount - MAX (invoice->balance_due, 0), payment->currency, pi->id);
  if (newly_disputed)
    cp_ledger_audit (self, 0, "payment.disputed", invoice->number, payment->amount, payment->currency, pi->id);
  if (!cp_store_commit (self->store, error))
    return NULL;
  fault_point (self, "after-store-write");

  if (changed)
    {
      if (out_invoice_id != NULL)
        *out_invoice_id = invoice_id;
      cp_ledger_maintain_link (self, invoice_id, cancellable);
    }
  if (out_received != NULL)
    *out_received = newly_succeeded;

  /* The sync has no use for the row as merged: what was written will do */
  if (have_existing)
    return g_steal_pointer (&payment);
  return cp_store_get_payment_by_intent (self->store, pi->id, error);
}

CpPayment *
cp_ledger_retrieve_and_apply_full (CpLedger      *self,
                         const char    *payment_intent_id,
                         gint64        *out_invoice_id,
                         gboolean      *out_received,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  gint64 asked = g_get_real_time ();

  pi = cp_stripe_payment_intent_retrieve (self->client, payment_intent_id, cancellable, NULL, error);
  if (pi == NULL)
    return NULL;
  return apply_payment_intent (self, pi, -1, 0, NULL, asked, NULL, FALSE, NULL, out_invoice_id, out_received,
                               cancellable, error);
}

gboolean
cp_ledger_apply_snapshot (CpLedger                     *self,
                          const CpStripePaymentIntent  *pi,
                          const CpStripeEvent          *event,
                          CpPayment                    *existing,
                          gint64                       *out_invoice_id,
                          gboolean                     *out_received,
                          GCancellable                 *cancellable,
                          GError                      **error)
{
  g_autoptr(CpPayment) payment = NULL;

  payment = apply_payment_intent (self, pi, -1, 0, NULL, event->created * G_USEC_PER_SEC, event->id, TRUE,
                                  existing, out_invoice_id, out_received, cancellable, error);
  return payment != NULL;
}

CpPayment *
cp_ledger_retrieve_and_apply (CpLedger      *self,
                    const char    *payment_intent_id,
                    gint64        *out_invoice_id,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return cp_ledger_retrieve_and_apply_full (self, payment_intent_id, out_invoice_id, NULL, cancellable, error);
}

/* Brings the invoice's open attempts up to date with Stripe, so an attempt
 * that succeeded while we were not looking (a crash, another desk) counts. */
static void
refresh_open_attempts (CpLedger     *self,
                       CpInvoice    *invoice,
                       GCancellable *cancellable)
{
  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);
      g_autoptr(CpPayment) updated = NULL;
      g_autoptr(GError) error = NULL;

      if (!cp_payment_status_is_open (payment->status))
        continue;
      updated = cp_ledger_retrieve_and_apply (self, payment->stripe_payment_intent_id, NULL, cancellable, &error);
      if (updated == NULL)
        g_debug ("Could not refresh %s: %s", payment->stripe_payment_intent_id, error->message);
    }
}

/* A patient may have paid the invoice's link a moment ago, before the poller
 * or a webhook told us: what its checkout sessions took counts before more
 * is taken at the desk. FALSE when Stripe cannot be asked. */
static gboolean
refresh_link_payments (CpLedger      *self,
                       gint64         invoice_id,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(CpPaymentLink) link = cp_store_get_active_payment_link (self->store, invoice_id, NULL);
  g_autoptr(CpStripeForm) form = NULL;
  g_autoptr(JsonObject) list = NULL;
  JsonArray *data;

  if (link == NULL)
    return TRUE;
  form = cp_stripe_form_new ();
  cp_stripe_form_add (form, "payment_link", link->id);
  cp_stripe_form_add (form, "limit", "100");
  list = cp_stripe_client_request (self->client, "GET", "/v1/checkout/sessions", form, NULL, NULL,
                                   cancellable, NULL, error);
  if (list == NULL)
    return FALSE;
  data = json_object_has_member (list, "data") ? json_object_get_array_member (list, "data") : NULL;
  for (guint i = 0; data != NULL && i < json_array_get_length (data); i++)
    {
      JsonObject *session = json_array_get_object_element (data, i);
      const char *pi_id = json_object_get_string_member_with_default (session, "payment_intent", NULL);
      g_autoptr(CpPayment) payment = NULL;

      /* An open checkout (the page shown, no card yet) holds nothing */
      if (pi_id == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (session, "status", NULL), "complete") != 0)
        continue;
      payment = cp_ledger_retrieve_and_apply (self, pi_id, NULL, cancellable, error);
      if (payment == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_amount (CpInvoice  *invoice,
              gint64     *amount,
              GError    **error)
{
  g_autofree char *since = now_iso (-ATTEMPT_HOLD_SECONDS);
  gint64 held = 0;
  gint64 available;

  if (invoice->voided)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Invoice %s is void"), invoice->number);
      return FALSE;
    }

  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      if (cp_payment_status_is_open (payment->status) && g_strcmp0 (payment->created_at, since) >= 0)
        held += payment->amount;
    }

  available = invoice->balance_due - held;
  if (*amount == 0)
    *amount = available;

  if (invoice->balance_due <= 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Nothing is due on invoice %s"), invoice->number);
      return FALSE;
    }
  if (*amount <= 0 || *amount > available)
    {
      if (held > 0)
        g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                     _("Invoice %s has %" PRId64 " due, of which %" PRId64
                       " is held by a payment in progress; %" PRId64 " is more than the rest"),
                     invoice->number, invoice->balance_due, held, *amount);
      else
        g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                     _("%" PRId64 " is more than the %" PRId64 " due on invoice %s"),
                     *amount, invoice->balance_due, invoice->number);
      return FALSE;
    }
  return TRUE;
}

static void cancel_quietly (CpLedger     *self,
                            const char   *payment_intent_id,
                            GCancellable *cancellable);

/* FALSE when the open attempts, `ours` included, hold more than is due and
 * another attempt was there first. */
static gboolean
recheck_holds (CpLedger    *self,
               gint64       invoice_id,
               const char  *ours,
               GError     **error)
{
  g_autoptr(CpInvoice) invoice = cp_store_get_invoice (self->store, invoice_id, error);
  g_autofree char *since = now_iso (-ATTEMPT_HOLD_SECONDS);
  CpPayment *mine = NULL;
  gint64 held = 0;
  gboolean others_first = FALSE;

  if (invoice == NULL)
    return FALSE;
  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      if (g_strcmp0 (payment->stripe_payment_intent_id, ours) == 0)
        mine = payment;
      else if (cp_payment_status_is_open (payment->status) && g_strcmp0 (payment->created_at, since) >= 0)
        held += payment->amount;
    }
  if (mine == NULL || held == 0)
    return TRUE;
  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);

      if (payment != mine && cp_payment_status_is_open (payment->status) && payment->id < mine->id)
        others_first = TRUE;
    }
  if (held + mine->amount > invoice->balance_due && others_first)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("Another payment on invoice %s started at the same moment; try again"), invoice->number);
      return FALSE;
    }
  return TRUE;
}

CpPaymentAttempt *
cp_ledger_begin_payment (CpLedger          *self,
                         gint64             invoice_id,
                         gint64             amount,
                         CpPaymentChannel   channel,
                         const CpStaff     *staff,
                         GCancellable      *cancellable,
                         GError           **error)
{
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpStripeCustomer) customer = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autofree char *attempt_id = NULL;
  g_autofree char *operation = NULL;
  g_autofree char *key = NULL;
  g_autofree char *currency = NULL;
  g_autofree char *description = NULL;
  CpStripePaymentIntentParams params = { 0 };
  CpPaymentAttempt *attempt;
  gint64 asked;

  g_return_val_if_fail (CP_IS_LEDGER (self), NULL);

  if (channel == CP_PAYMENT_CHANNEL_DESK && !require_staff (staff, error))
    return NULL;
  if (amount < 0)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("An amount cannot be negative"));
      return NULL;
    }

  invoice = cp_store_get_invoice (self->store, invoice_id, error);
  if (invoice == NULL)
    return NULL;
  if (invoice->voided)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Invoice %s is void"), invoice->number);
      return NULL;
    }

  refresh_open_attempts (self, invoice, cancellable);
  if (!refresh_link_payments (self, invoice_id, cancellable, error))
    return NULL;
  g_clear_pointer (&invoice, cp_invoice_free);
  invoice = cp_store_get_invoice (self->store, invoice_id, error);
  if (invoice == NULL || !check_amount (invoice, &amount, error))
    return NULL;

  customer = cp_stripe_customer_ensure (self->client, invoice->patient, cancellable, NULL, error);
  if (customer == NULL)
    return NULL;
  if (g_strcmp0 (invoice->patient->stripe_customer_id, customer->id) != 0)
    {
      g_free (invoice->patient->stripe_customer_id);
      invoice->patient->stripe_customer_id = g_strdup (customer->id);
      if (!cp_store_save_patient (self->store, invoice->patient, error))
        return NULL;
    }

  /* The key is stored (committed) before the request goes out */
  attempt_id = g_uuid_string_random ();
  operation = g_strdup_printf ("pi.create:invoice=%" G_GINT64_FORMAT ":attempt=%s", invoice_id, attempt_id);
  key = cp_store_idempotency_key (self->store, operation, error);
  if (key == NULL)
    return NULL;

  currency = g_ascii_strdown (invoice->currency, -1);
  description = g_strdup_printf (_("Invoice %s"), invoice->number);
  params.amount = amount;
  params.currency = currency;
  params.customer = customer->id;
  params.invoice_id = invoice->id;
  params.invoice_number = invoice->number;
  params.description = description;
  params.receipt_email = invoice->patient->email;
  params.card_only = TRUE;

  asked = g_get_real_time ();
  pi = cp_stripe_payment_intent_create (self->client, &params, operation, cancellable, NULL, error);
  if (pi == NULL)
    return NULL;
  fault_point (self, "after-payment-intent-create");

  payment = apply_payment_intent (self, pi, channel, staff != NULL ? staff->id : 0, attempt_id,
                                  asked, NULL, FALSE, NULL, NULL, NULL, cancellable, error);
  if (payment == NULL)
    return NULL;

  /* Another desk may have begun an attempt while this one was being made:
   * with both recorded, the later one gives way */
  if (!recheck_holds (self, invoice_id, pi->id, error))
    {
      cancel_quietly (self, pi->id, cancellable);
      return NULL;
    }

  cp_ledger_audit (self, staff != NULL ? staff->id : 0, "payment.attempt", invoice->number, amount, invoice->currency, pi->id);

  attempt = g_new0 (CpPaymentAttempt, 1);
  attempt->invoice_id = invoice->id;
  attempt->invoice_number = g_strdup (invoice->number);
  attempt->amount = amount;
  attempt->currency = g_strdup (invoice->currency);
  attempt->payment_intent_id = g_strdup (pi->id);
  attempt->client_secret = g_strdup (pi->client_secret);
  attempt->channel = channel;
  attempt->staff_id = staff != NULL ? staff->id : 0;
  attempt->attempt_id = g_steal_pointer (&attempt_id);
  return attempt;
}

CpPayment *
cp_ledger_complete_payment (CpLedger      *self,
                            const char    *payment_intent_id,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_return_val_if_fail (CP_IS_LEDGER (self), NULL);
  g_return_val_if_fail (payment_intent_id != NULL, NULL);

  return cp_ledger_retrieve_and_apply (self, payment_intent_id, NULL, cancellable, error);
}

static void
cancel_quietly (CpLedger     *self,
                const char   *payment_intent_id,
                GCancellable *cancellable)
{
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *operation = g_strdup_printf ("pi.cancel:%s", payment_intent_id);

  pi = cp_stripe_payment_intent_cancel (self->client, payment_intent_id, "abandoned", operation,
                                        cancellable, NULL, &error);
  if (pi == NULL)
    g_debug ("Could not cancel %s: %s", payment_intent_id, error->message);
  g_clear_error (&error);
  payment = cp_ledger_retrieve_and_apply (self, payment_intent_id, NULL, cancellable, &error);
  if (payment == NULL)
    g_debug ("Could not refresh %s: %s", payment_intent_id, error->message);
}

CpPayment *
cp_ledger_pay_with_test_method (CpLedger          *self,
                                gint64             invoice_id,
                                gint64             amount,
                                const char        *payment_method,
                                CpPaymentChannel   channel,
                                const CpStaff     *staff,
                                GCancellable      *cancellable,
                                GError           **error)
{
  g_autoptr(CpPaymentAttempt) attempt = NULL;
  g_autoptr(CpStripePaymentIntent) confirmed = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autoptr(GError) confirm_error = NULL;
  g_autofree char *operation = NULL;

  g_return_val_if_fail (CP_IS_LEDGER (self), NULL);
  g_return_val_if_fail (payment_method != NULL, NULL);

  if (!cp_stripe_config_is_test_mode (cp_stripe_client_get_config (self->client)))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_PERMISSION,
                           _("Paying with a test payment method needs a test key; real cards only go through the payment page"));
      return NULL;
    }

  attempt = cp_ledger_begin_payment (self, invoice_id, amount, channel, staff, cancellable, error);
  if (attempt == NULL)
    return NULL;

  operation = g_strdup_printf ("pi.confirm:%s:%s", attempt->payment_intent_id, payment_method);
  confirmed = cp_stripe_payment_intent_confirm (self->client, attempt->payment_intent_id, payment_method,
                                                operation, cancellable, NULL, &confirm_error);
  if (confirmed != NULL)
    fault_point (self, "after-stripe-confirm");

  payment = cp_ledger_retrieve_and_apply (self, attempt->payment_intent_id, NULL, cancellable,
                                confirm_error == NULL ? error : NULL);
  if (confirm_error != NULL)
    {
      /* A declined card ends this attempt; the reason stays on its row */
      if (payment == NULL || !cp_payment_status_counts (payment->status))
        cancel_quietly (self, attempt->payment_intent_id, cancellable);
      if (payment != NULL && cp_payment_status_counts (payment->status))
        return g_steal_pointer (&payment);
      g_propagate_error (error, g_steal_pointer (&confirm_error));
      return NULL;
    }
  if (payment == NULL)
    return NULL;

  if (g_strcmp0 (payment->status, "requires_action") == 0)
    {
      cancel_quietly (self, attempt->payment_intent_id, cancellable);
      g_set_error_literal (error, CP_ERROR, CP_ERROR_CARD_DECLINED,
                           _("The card needs the patient to authenticate, which only the payment page can do"));
      return NULL;
    }
  return g_steal_pointer (&payment);
}

void
cp_ledger_set_fault_hook (CpLedger          *self,
                          CpLedgerFaultHook  hook,
                          gpointer           user_data)
{
  g_return_if_fail (CP_IS_LEDGER (self));
  self->fault_hook = hook;
  self->fault_hook_data = user_data;
}

gboolean
cp_ledger_cancel_payment (CpLedger      *self,
                          const char    *payment_intent_id,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autofree char *operation = g_strdup_printf ("pi.cancel:%s", payment_intent_id);

  g_return_val_if_fail (CP_IS_LEDGER (self), FALSE);

  pi = cp_stripe_payment_intent_cancel (self->client, payment_intent_id, "abandoned", operation,
                                        cancellable, NULL, error);
  if (pi == NULL)
    return FALSE;
  payment = cp_ledger_retrieve_and_apply (self, payment_intent_id, NULL, cancellable, error);
  return payment != NULL;
}

/* Links */

static CpPaymentLinkInfo *
link_info_from (const CpPaymentLink *link)
{
  CpPaymentLinkInfo *info = g_new0 (CpPaymentLinkInfo, 1);

  info->id = g_strdup (link->id);
  info->url = g_strdup (link->url);
  info->invoice_id = link->invoice_id;
  info->amount = link->amount;
  info->currency = g_strdup (link->currency);
  info->active = link->active;
  return info;
}

CpPaymentLinkInfo *
cp_ledger_create_link (CpLedger       *self,
                       gint64          invoice_id,
                       const CpStaff  *staff,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpPaymentLink) active = NULL;
  g_autoptr(CpStripePaymentLink) created = NULL;
  g_autoptr(CpPaymentLink) link = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *attempt_id = NULL;
  g_autofree char *operation = NULL;
  g_autofree char *currency = NULL;
  CpStripePaymentLinkParams params = { 0 };

  g_return_val_if_fail (CP_IS_LEDGER (self), NULL);

  if (!require_staff (staff, error))
    return NULL;

  invoice = cp_store_get_invoice (self->store, invoice_id, error);
  if (invoice == NULL)
    return NULL;
  if (invoice->voided)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Invoice %s is void"), invoice->number);
      return NULL;
    }

  /* An old link for another amount goes first */
  cp_ledger_maintain_link (self, invoice_id, cancellable);

  if (invoice->balance_due <= 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("Nothing is due on invoice %s"), invoice->number);
      return NULL;
    }

  active = cp_store_get_active_payment_link (self->store, invoice_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (active != NULL && active->amount == invoice->balance_due)
    return link_info_from (active);
  if (active != NULL)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_STRIPE,
                   _("The old link %s for invoice %s could not be deactivated; try again"),
                   active->id, invoice->number);
      return NULL;
    }

  /* The operation (so the idempotency key) names what is asked for and how
   * many links the invoice had: asked again after a crash between Stripe
   * making the link and our recording it, Stripe answers with that same
   * link rather than a second one; once it is recorded, the count moves on */
  {
    g_autoptr(GPtrArray) links = cp_store_list_payment_links (self->store, invoice_id, error);

    if (links == NULL)
      return NULL;
    attempt_id = g_strdup_printf ("links=%u:amount=%" G_GINT64_FORMAT ":%s", links->len,
                                  invoice->balance_due, invoice->currency);
  }
  operation = g_strdup_printf ("plink.create:invoice=%" G_GINT64_FORMAT ":%s", invoice_id, attempt_id);
  currency = g_ascii_strdown (invoice->currency, -1);
  params.invoice_id = invoice_id;
  params.invoice_number = invoice->number;
  params.amount = invoice->balance_due;
  params.currency = currency;
  created = cp_stripe_payment_link_create (self->client, &params, operation, cancellable, NULL, error);
  if (created == NULL)
    return NULL;
  fault_point (self, "after-link-create");

  link = cp_payment_link_new ();
  link->id = g_strdup (created->id);
  link->invoice_id = invoice_id;
  link->url = g_strdup (created->url);
  link->amount = invoice->balance_due;
  link->currency = g_strdup (invoice->currency);
  link->active = TRUE;

  fault_point (self, "before-store-write");
  if (!cp_store_begin (self->store, error))
    return NULL;
  if (!cp_store_save_payment_link (self->store, link, error))
    {
      cp_store_rollback (self->store);
      return NULL;
    }
  cp_ledger_audit (self, staff->id, "link.create", invoice->number, link->amount, link->currency, link->id);
  if (!cp_store_commit (self->store, error))
    return NULL;
  fault_point (self, "after-store-write");

  return link_info_from (link);
}

/* Void */

gboolean
cp_ledger_void_invoice (CpLedger       *self,
                        gint64          invoice_id,
                        const CpStaff  *staff,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_autoptr(CpInvoice) invoice = NULL;

  g_return_val_if_fail (CP_IS_LEDGER (self), FALSE);

  if (!cp_ledger_require_supervisor (staff, _("void an invoice"), error))
    return FALSE;

  invoice = cp_store_get_invoice (self->store, invoice_id, error);
  if (invoice == NULL)
    return FALSE;
  if (invoice->voided)
    return TRUE;

  for (guint i = 0; i < invoice->payments->len; i++)
    {
      CpPayment *payment = g_ptr_array_index (invoice->payments, i);
      g_autoptr(GError) cancel_error = NULL;

      if (!cp_payment_status_is_open (payment->status))
        continue;
      if (!cp_ledger_cancel_payment (self, payment->stripe_payment_intent_id, cancellable, &cancel_error))
        {
          /* It may have succeeded meanwhile; what Stripe says decides */
          g_autoptr(CpPayment) now = cp_ledger_retrieve_and_apply (self, payment->stripe_payment_intent_id, NULL,
                                                         cancellable, NULL);
          if (now == NULL || cp_payment_status_is_open (now->status))
            {
              g_propagate_error (error, g_steal_pointer (&cancel_error));
              return FALSE;
            }
        }
    }

  g_clear_pointer (&invoice, cp_invoice_free);
  invoice = cp_store_get_invoice (self->store, invoice_id, error);
  if (invoice == NULL)
    return FALSE;
  if (invoice->amount_paid - invoice->amount_refunded > 0)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("Invoice %s has payments; refund them before voiding it"), invoice->number);
      return FALSE;
    }

  fault_point (self, "before-store-write");
  if (!cp_store_begin (self->store, error))
    return FALSE;
  if (!cp_store_set_invoice_voided (self->store, invoice_id, TRUE, error))
    {
      cp_store_rollback (self->store);
      return FALSE;
    }
  cp_ledger_audit (self, staff->id, "invoice.void", invoice->number, invoice->total, invoice->currency, NULL);
  if (!cp_store_commit (self->store, error))
    return FALSE;
  fault_point (self, "after-store-write");

  cp_ledger_maintain_link (self, invoice_id, cancellable);
  return TRUE;
}

/* Object */

CpLedger *
cp_ledger_new (CpStore        *store,
               CpStripeClient *client)
{
  CpLedger *self;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);
  g_return_val_if_fail (CP_IS_STRIPE_CLIENT (client), NULL);

  self = g_object_new (CP_TYPE_LEDGER, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  /* Idempotency keys must outlive a crash: they come from the store */
  if (cp_stripe_client_get_store (client) == NULL)
    cp_stripe_client_set_store (client, store);
  return self;
}

CpStore *
cp_ledger_get_store (CpLedger *self)
{
  g_return_val_if_fail (CP_IS_LEDGER (self), NULL);
  return self->store;
}

CpStripeClient *
cp_ledger_get_client (CpLedger *self)
{
  g_return_val_if_fail (CP_IS_LEDGER (self), NULL);
  return self->client;
}

static void
cp_ledger_dispose (GObject *object)
{
  CpLedger *self = CP_LEDGER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (cp_ledger_parent_class)->dispose (object);
}

static void
cp_ledger_class_init (CpLedgerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_ledger_dispose;
}

static void
cp_ledger_init (CpLedger *self)
{
}
