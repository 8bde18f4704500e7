/* SPDX-License-Identifier: GPL-3.0-or-later */
/* carepayctl's money commands: pay, refund, link, void, sync, verify and
 * webhook-listen. They act as the member of staff named by --as, whose
 * password comes from CAREPAY_PASSWORD (never from the command line, where
 * other users could read it), so the same role rules apply as in the app. */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "cp-error.h"
#include "cp-ledger.h"
#include "cp-money.h"
#include "cp-sync.h"
#include "cp-webhook-listener.h"
#include "ctl-session.h"

/* The command's options, then one positional argument: the invoice number. */
static gboolean
parse_number_command (const char    *command,
                      GOptionEntry  *entries,
                      int           *argc,
                      char        ***argv,
                      const char   **out,
                      int           *status)
{
  if (!ctl_parse_options (command, "NUMBER", entries, argc, argv, status))
    return FALSE;
  if (*argc != 2)
    {
      *status = ctl_fail (CTL_EXIT_USAGE, _("%s: give one invoice number"), command);
      return FALSE;
    }
  *out = (*argv)[1];
  return TRUE;
}

/* pay */

int
ctl_cmd_pay (CtlContext  *ctx,
             int          argc,
             char       **argv)
{
  g_autofree char *method = NULL;
  gint64 amount = 0;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "payment-method", 0, 0, G_OPTION_ARG_STRING, &method, N_("Test payment method, e.g. pm_card_visa"), "PM" },
    { "amount", 0, 0, G_OPTION_ARG_INT64, &amount, N_("Amount in minor units (default: the balance due)"), "MINOR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_auto(CtlSession) session = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpInvoice) after = NULL;
  g_autoptr(CpPayment) payment = NULL;
  g_autofree char *shown = NULL;
  const char *number;
  int status = CTL_EXIT_OK;

  if (!parse_number_command ("pay", entries, &argc, &argv, &number, &status))
    return status;
  if (method == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("pay: --payment-method is required (e.g. pm_card_visa)"));
  if (amount < 0)
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("pay: --amount cannot be negative"));

  invoice = ctl_session_open_invoice (ctx, &session, number, &error);
  if (invoice == NULL)
    return ctl_fail_error (error);

  payment = cp_ledger_pay_with_test_method (session.ledger, invoice->id, amount, method,
                                            CP_PAYMENT_CHANNEL_DESK, session.staff, NULL, &error);
  if (payment == NULL)
    return ctl_fail_error (error);

  after = cp_store_get_invoice (CP_STORE (session.store), invoice->id, &error);
  if (after == NULL)
    return ctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = ctl_json_new_object ();

      ctl_json_add_string (builder, "invoice", after->number);
      ctl_json_add_string (builder, "payment_intent", payment->stripe_payment_intent_id);
      ctl_json_add_string (builder, "status", payment->status);
      ctl_json_add_money (builder, payment->amount, payment->currency);
      ctl_json_add_string (builder, "card_brand", payment->card_brand);
      ctl_json_add_string (builder, "card_last4", payment->card_last4);
      ctl_json_add_string (builder, "invoice_status", cp_invoice_status_to_string (after->status));
      ctl_json_add_int (builder, "balance_due", after->balance_due);
      ctl_print_json_object (builder);
    }
  else
    {
      shown = cp_money_format (payment->amount, payment->currency);
      printf (_("Paid %s on %s (%s %s); %s\n"), shown, after->number,
              payment->card_brand ? payment->card_brand : "card",
              payment->card_last4 ? payment->card_last4 : "", payment->stripe_payment_intent_id);
    }
  return CTL_EXIT_OK;
}

/* refund */

int
ctl_cmd_refund (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  g_autofree char *reason = NULL;
  gint64 amount = 0;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "amount", 0, 0, G_OPTION_ARG_INT64, &amount, N_("Amount in minor units (default: all that is left)"), "MINOR" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why (duplicate, fraudulent, requested_by_customer or words)"), "R" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_auto(CtlSession) session = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  const char *number;
  int status = CTL_EXIT_OK;

  if (!parse_number_command ("refund", entries, &argc, &argv, &number, &status))
    return status;
  if (reason == NULL || *reason == '\0')
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("refund: --reason is required"));
  if (amount < 0)
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("refund: --amount cannot be negative"));

  invoice = ctl_session_open_invoice (ctx, &session, number, &error);
  if (invoice == NULL)
    return ctl_fail_error (error);

  refunds = cp_ledger_refund (session.ledger, invoice->id, amount, reason, session.staff, NULL, &error);
  if (refunds == NULL)
    return ctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = ctl_json_new_object ();

      ctl_json_add_string (builder, "invoice", invoice->number);
      ctl_json_begin_array_member (builder, "refunds");
      for (guint i = 0; i < refunds->len; i++)
        {
          CpRefund *refund = g_ptr_array_index (refunds, i);

          json_builder_begin_object (builder);
          ctl_json_add_string (builder, "id", refund->stripe_refund_id);
          ctl_json_add_money (builder, refund->amount, refund->currency);
          ctl_json_add_string (builder, "status", refund->status);
          ctl_json_add_string (builder, "reason", refund->reason);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ctl_print_json_object (builder);
    }
  else
    {
      for (guint i = 0; i < refunds->len; i++)
        {
          CpRefund *refund = g_ptr_array_index (refunds, i);
          g_autofree char *shown = cp_money_format (refund->amount, refund->currency);

          printf (_("Refunded %s on %s (%s, %s)\n"), shown, invoice->number, refund->stripe_refund_id, refund->status);
        }
    }
  /* Part of the amount refunded before a failure still needs saying */
  if (error != NULL)
    return ctl_fail_error (error);
  return CTL_EXIT_OK;
}

/* link */

int
ctl_cmd_link (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_auto(CtlSession) session = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(CpPaymentLinkInfo) link = NULL;
  const char *number;
  int status = CTL_EXIT_OK;

  if (!parse_number_command ("link", entries, &argc, &argv, &number, &status))
    return status;

  invoice = ctl_session_open_invoice (ctx, &session, number, &error);
  if (invoice == NULL)
    return ctl_fail_error (error);

  link = cp_ledger_create_link (session.ledger, invoice->id, session.staff, NULL, &error);
  if (link == NULL)
    return ctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = ctl_json_new_object ();

      ctl_json_add_string (builder, "invoice", invoice->number);
      ctl_json_add_string (builder, "id", link->id);
      ctl_json_add_string (builder, "url", link->url);
      ctl_json_add_money (builder, link->amount, link->currency);
      ctl_print_json_object (builder);
    }
  else
    printf ("%s\n", link->url);
  return CTL_EXIT_OK;
}

/* void */

int
ctl_cmd_void (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_auto(CtlSession) session = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  const char *number;
  int status = CTL_EXIT_OK;

  if (!parse_number_command ("void", entries, &argc, &argv, &number, &status))
    return status;

  invoice = ctl_session_open_invoice (ctx, &session, number, &error);
  if (invoice == NULL)
    return ctl_fail_error (error);

  if (!cp_ledger_void_invoice (session.ledger, invoice->id, session.staff, NULL, &error))
    return ctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = ctl_json_new_object ();

      ctl_json_add_string (builder, "invoice", invoice->number);
      ctl_json_add_string (builder, "status", "cancelled");
      ctl_print_json_object (builder);
    }
  else
    printf (_("Voided %s\n"), invoice->number);
  return CTL_EXIT_OK;
}

/* sync */

int
ctl_cmd_sync (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_auto(CtlSession) session = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSync) sync = NULL;
  int status = CTL_EXIT_OK;
  guint applied = 0;

  if (!ctl_parse_options ("sync", "", entries, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("sync takes no arguments"));

  if (!ctl_session_open (ctx, FALSE, &session, &error))
    return ctl_fail_error (error);

  sync = cp_sync_new (session.ledger);
  if (!cp_sync_run (sync, NULL, &applied, &error))
    return ctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = ctl_json_new_object ();

      ctl_json_add_int (builder, "applied", applied);
      ctl_print_json_object (builder);
    }
  else
    printf (g_dngettext (GETTEXT_PACKAGE, "Applied %u event\n", "Applied %u events\n", applied), applied);
  return CTL_EXIT_OK;
}

/* verify */

int
ctl_cmd_verify (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_auto(CtlSession) session = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) differences = NULL;
  int status = CTL_EXIT_OK;

  if (!ctl_parse_options ("verify", "", entries, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("verify takes no arguments"));

  if (!ctl_session_open (ctx, FALSE, &session, &error))
    return ctl_fail_error (error);

  differences = cp_ledger_verify (session.ledger, NULL, &error);
  if (differences == NULL)
    return ctl_fail_error (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = ctl_json_new_object ();

      ctl_json_begin_array_member (builder, "differences");
      for (guint i = 0; i < differences->len; i++)
        {
          CpLedgerDifference *d = g_ptr_array_index (differences, i);

          json_builder_begin_object (builder);
          ctl_json_add_string (builder, "invoice", d->invoice_number);
          ctl_json_add_string (builder, "stripe_id", d->stripe_id);
          ctl_json_add_string (builder, "what", d->what);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      ctl_print_json_object (builder);
    }
  else
    {
      for (guint i = 0; i < differences->len; i++)
        {
          CpLedgerDifference *d = g_ptr_array_index (differences, i);

          printf ("%s\t%s\t%s\n", d->invoice_number ? d->invoice_number : "-", d->stripe_id, d->what);
        }
      if (differences->len == 0)
        printf ("%s\n", _("No differences"));
    }
  return differences->len > 0 ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

/* webhook-listen */

static gboolean
quit_on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
report_event (CpWebhookListener *listener,
              const char        *event_id,
              const char        *type,
              gint64             invoice_id,
              gpointer           user_data)
{
  printf ("%s %s\n", event_id, type);
  fflush (stdout);
}

int
ctl_cmd_webhook_listen (CtlContext  *ctx,
                        int          argc,
                        char       **argv)
{
  int port = 0;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("Port on 127.0.0.1 (0 picks one)"), "P" },
    { NULL }
  };
  g_auto(CtlSession) session = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpWebhookListener) listener = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *url = NULL;
  const char *secret = g_getenv ("CAREPAY_STRIPE_WEBHOOK_SECRET");
  int status = CTL_EXIT_OK;

  if (!ctl_parse_options ("webhook-listen", "", entries, &argc, &argv, &status))
    return status;
  if (argc != 1 || port < 0 || port > 65535)
    return ctl_fail (CTL_EXIT_USAGE, "%s", _("webhook-listen: --port P, 0 to 65535"));
  if (secret == NULL || *secret == '\0')
    return ctl_fail (CTL_EXIT_FAIL, "%s", _("CAREPAY_STRIPE_WEBHOOK_SECRET (the endpoint's whsec_ signing secret) is not set"));

  if (!ctl_session_open (ctx, FALSE, &session, &error))
    return ctl_fail_error (error);

  listener = cp_webhook_listener_new (session.ledger, secret);
  if (!cp_webhook_listener_listen (listener, port, &error))
    return ctl_fail_error (error);
  g_signal_connect (listener, "event-applied", G_CALLBACK (report_event), NULL);

  url = cp_webhook_listener_dup_url (listener);
  printf (_("carepayctl webhook-listen listening on %s\n"), url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_on_signal, loop);
  g_unix_signal_add (SIGTERM, quit_on_signal, loop);
  g_main_loop_run (loop);
  return CTL_EXIT_OK;
}
