/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-sqlite-private.h"
#include "cp-stripe-events.h"
#include "cp-stripe-payment-intents.h"
#include "ledger-test-util.h"
#include "test-util.h"

static gint64
add_invoice (CpStore    *store,
             CpPatient  *patient,
             const char *number,
             gint64      amount)
{
  g_autoptr(CpInvoice) invoice = cp_invoice_new ();
  g_autoptr(GError) error = NULL;
  CpLineItem *item = cp_line_item_new ();

  invoice->patient = cp_patient_copy (patient);
  invoice->number = g_strdup (number);
  invoice->issue_date = g_strdup ("2026-03-01");
  invoice->due_date = g_strdup ("2026-03-31");
  item->description = g_strdup ("Chest X-ray, two views");
  item->service_code = g_strdup ("71046");
  item->quantity = 1;
  item->unit_amount = amount;
  g_ptr_array_add (invoice->line_items, item);
  g_assert_true (cp_store_create_invoice (store, invoice, &error));
  g_assert_no_error (error);
  return invoice->id;
}

void
lt_make_database (LedgerFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) patient = cp_patient_new ();
  CpStore *store;

  /* meson sets it; set here only when run by hand (before any thread) */
  if (g_getenv ("CAREPAY_TODAY") == NULL)
    g_setenv ("CAREPAY_TODAY", "2026-03-15", TRUE);
  f->dir = g_dir_make_tmp ("carepay-ledger-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  store = CP_STORE (f->store);

  patient->mrn = g_strdup ("MRN-0001");
  patient->given_name = g_strdup ("Maria");
  patient->family_name = g_strdup ("Garcia");
  patient->email = g_strdup ("maria@example.com");
  g_assert_true (cp_store_save_patient (store, patient, &error));
  g_assert_no_error (error);

  f->invoice_a = add_invoice (store, patient, "INV-2026-000001", 10000);
  f->invoice_b = add_invoice (store, patient, "INV-2026-000002", 25000);
  f->invoice_c = add_invoice (store, patient, "INV-2026-000003", 5000);

  g_assert_true (cp_store_create_staff (store, "casey", "Casey Clerk", CP_ROLE_CLERK, LT_PASSWORD, &error));
  g_assert_true (cp_store_create_staff (store, "sam", "Sam Super", CP_ROLE_SUPERVISOR, LT_PASSWORD, &error));
  g_assert_true (cp_store_create_staff (store, "ada", "Ada Admin", CP_ROLE_ADMIN, LT_PASSWORD, &error));
  g_assert_no_error (error);
  f->clerk = cp_store_authenticate (store, "casey", LT_PASSWORD, &error);
  g_assert_no_error (error);
  f->supervisor = cp_store_authenticate (store, "sam", LT_PASSWORD, &error);
  g_assert_no_error (error);
}

void
lt_setup (LedgerFixture *f,
          gconstpointer  data)
{
  memset (f, 0, sizeof *f);
  if (!stripe_sim_require ())
    return;
  lt_make_database (f);
  f->client = stripe_sim_new_client (SIM_KEY, CP_STORE (f->store));
  f->ledger = cp_ledger_new (CP_STORE (f->store), f->client);
}

void
lt_teardown (LedgerFixture *f,
             gconstpointer  data)
{
  g_clear_object (&f->ledger);
  g_clear_object (&f->client);
  g_clear_object (&f->store);
  g_clear_pointer (&f->clerk, cp_staff_free);
  g_clear_pointer (&f->supervisor, cp_staff_free);
  if (f->dir != NULL)
    test_remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->path, g_free);
}

void
lt_reopen (LedgerFixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->ledger);
  g_clear_object (&f->client);
  g_clear_object (&f->store);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  f->client = stripe_sim_new_client (SIM_KEY, CP_STORE (f->store));
  f->ledger = cp_ledger_new (CP_STORE (f->store), f->client);
}

CpInvoice *
lt_invoice (LedgerFixture *f,
            gint64         id)
{
  g_autoptr(GError) error = NULL;
  CpInvoice *invoice = cp_store_get_invoice (CP_STORE (f->store), id, &error);

  g_assert_no_error (error);
  return invoice;
}

guint
lt_count_payment_intents (CpStripeClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripeList) list = cp_stripe_payment_intent_list (client, NULL, 100, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return list->items->len;
}

gint64
lt_count_rows (LedgerFixture *f,
               const char    *sql)
{
  sqlite3 *db = cp_sqlite_store_get_connection (f->store);
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

char *
lt_pay_directly (CpStripeClient *client,
                 gint64          invoice_id,
                 gint64          amount,
                 const char     *currency,
                 const char     *payment_method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripePaymentIntent) pi = NULL;
  g_autoptr(CpStripePaymentIntent) done = NULL;
  CpStripePaymentIntentParams params = { 0 };

  params.amount = amount;
  params.currency = currency;
  params.invoice_id = invoice_id;
  params.card_only = TRUE;
  pi = cp_stripe_payment_intent_create (client, &params, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  done = cp_stripe_payment_intent_confirm (client, pi->id, payment_method, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (done->status, ==, "succeeded");
  return g_strdup (pi->id);
}

static gboolean
names (JsonObject *object,
       const char *object_id)
{
  const char *members[] = { "id", "payment_intent", "charge" };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *node = object != NULL ? json_object_get_member (object, members[i]) : NULL;

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
          g_strcmp0 (json_node_get_string (node), object_id) == 0)
        return TRUE;
    }
  return FALSE;
}

CpStripeEvent *
lt_wait_event (CpStripeClient *client,
               const char     *type,
               const char     *object_id)
{
  const char *types[] = { type, NULL };

  /* The simulator's follow-ups (refund failure, dispute) come a moment later */
  for (guint attempt = 0; attempt < 400; attempt++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CpStripeList) list = cp_stripe_event_list (client, types, NULL, NULL, 100, NULL, NULL, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < list->items->len; i++)
        {
          CpStripeEvent *event = g_ptr_array_index (list->items, i);

          if (object_id == NULL || names (event->object, object_id))
            {
              g_ptr_array_steal_index (list->items, i);
              return event;
            }
        }
      g_usleep (25 * 1000);
    }
  g_assert_not_reached ();
}

char *
lt_pay_link (CpStripeClient *client,
             const char     *link_id,
             const char     *payment_method)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/pay/%s/session", stripe_sim_base_url (), link_id);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CpStripePaymentIntent) done = NULL;
  JsonObject *session_object;
  const char *pi_id;

  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", empty);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error));
  session_object = json_node_get_object (json_parser_get_root (parser));
  pi_id = json_object_get_string_member (session_object, "payment_intent");
  g_assert_nonnull (pi_id);

  done = cp_stripe_payment_intent_confirm (client, pi_id, payment_method, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (done->status, ==, "succeeded");
  return g_strdup (pi_id);
}

void
lt_keep_result (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LtWait *wait = user_data;

  g_clear_object (&wait->result);
  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

GAsyncResult *
lt_wait_for (LtWait *wait)
{
  g_main_loop_run (wait->loop);
  return wait->result;
}

void
lt_wait_clear (LtWait *wait)
{
  g_clear_object (&wait->result);
  g_clear_pointer (&wait->loop, g_main_loop_unref);
}
