/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Security: SQL injection strings in every search and lookup and in stored
 * text; the role rules in the ledger and in carepayctl; and secrets (the
 * Stripe secret key, PaymentIntent client secrets, the webhook secret) kept
 * out of every log line, carepayctl's output and the database's bytes.
 * Real SQLite files, the real simulator on 127.0.0.1, the built carepayctl. */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-sqlite-backup.h"
#include "cp-sqlite-private.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-webhook.h"
#include "cp-sync.h"
#include "ctl-test-util.h"
#include "ledger-test-util.h"

#define SKIP_WITHOUT_SIM(f) if ((f)->ledger == NULL) return

#define SECRET_KEY "sk_test_SECRETMARKER_7f3c9a2e51d4"
#define WEBHOOK_SECRET "whsec_SECRETMARKER_b8e14c07"

static const char *hostile[] = {
  "'; DROP TABLE invoices; --",
  "\" OR 1=1 --",
  "' OR '1'='1",
  "Robert'); DROP TABLE patients;--",
  "%",
  "_",
  "\\",
  "50% off_\\x",
  "Ñoño Ærøskøbing 患者 🏥 ‮reversed‬",
};

/* Captured log output of this process */
static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length < 0)
        g_string_append_printf (captured_log, "%s=%s ", fields[i].key, (const char *) fields[i].value);
      else
        {
          g_string_append_printf (captured_log, "%s=", fields[i].key);
          g_string_append_len (captured_log, fields[i].value, fields[i].length);
          g_string_append_c (captured_log, ' ');
        }
    }
  g_string_append_c (captured_log, '\n');
  /* Warnings and worse still reach the test's output (and fail it if fatal) */
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

/* carepayctl */

/* With every debug message on, so that the test sees all it could log. */
static void
ctl_key (LedgerFixture *f,
         CtlRun        *run,
         const char    *key,
         const char    *as_user,
         ...)
{
  const char *env[] = { "G_MESSAGES_DEBUG=all", NULL };
  const char *first;
  va_list rest;

  va_start (rest, as_user);
  first = va_arg (rest, const char *);
  ctl_run_money_valist (run, f->path, stripe_sim_base_url (), key, as_user, LT_PASSWORD, env, FALSE, first,
                        rest);
  va_end (rest);
}

#define ctl(f, run, as_user, ...) ctl_key (f, run, SIM_KEY, as_user, __VA_ARGS__)

static gboolean
contains_ci (const char *haystack,
             const char *needle)
{
  g_autofree char *h = g_utf8_casefold (haystack != NULL ? haystack : "", -1);
  g_autofree char *n = g_utf8_casefold (needle, -1);

  return strstr (h, n) != NULL;
}

static void
assert_tables_intact (LedgerFixture *f,
                      gint64         patients,
                      gint64         invoices)
{
  const char *tables[] = { "patients", "invoices", "line_items", "payments", "refunds", "staff", "audit_log" };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                                              tables[i]);
      g_assert_cmpint (lt_count_rows (f, sql), ==, 1);
    }
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM patients"), ==, patients);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM invoices"), ==, invoices);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM staff"), ==, 3);
}

/* SQL injection */

typedef struct {
  gint64 patient_id;
  gint64 invoice_id;
  char  *number;
} Stored;

static void
test_injection_store (LedgerFixture *f,
                      gconstpointer  data)
{
  CpStore *store;
  Stored stored[G_N_ELEMENTS (hostile)];
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) by_mrn = NULL;

  /* The store alone; the simulator is not needed */
  memset (f, 0, sizeof *f);
  lt_make_database (f);
  store = CP_STORE (f->store);

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(CpPatient) patient = cp_patient_new ();
      g_autoptr(CpInvoice) invoice = cp_invoice_new ();
      g_autoptr(CpPatient) back = NULL;
      g_autoptr(CpInvoice) read = NULL;
      CpLineItem *item = cp_line_item_new ();

      patient->mrn = g_strdup_printf ("MRN %s %u", hostile[i], i);
      patient->given_name = g_strdup (hostile[i]);
      patient->family_name = g_strdup_printf ("Fam%u %s", i, hostile[i]);
      patient->email = g_strdup_printf ("p%u@example.com", i);
      patient->address = g_strdup_printf ("%s\nLine 2", hostile[i]);
      g_assert_true (cp_store_save_patient (store, patient, &error));
      g_assert_no_error (error);

      invoice->patient = cp_patient_copy (patient);
      invoice->number = g_strdup_printf ("INV-SEC-%06u", i);
      invoice->issue_date = g_strdup ("2026-03-01");
      invoice->due_date = g_strdup ("2026-03-31");
      invoice->notes = g_strdup (hostile[i]);
      item->description = g_strdup (hostile[i]);
      item->service_code = g_strdup ("99213");
      item->quantity = 1;
      item->unit_amount = 1000 + i;
      g_ptr_array_add (invoice->line_items, item);
      g_assert_true (cp_store_create_invoice (store, invoice, &error));
      g_assert_no_error (error);

      stored[i].patient_id = patient->id;
      stored[i].invoice_id = invoice->id;
      stored[i].number = g_strdup (invoice->number);

      /* Read back verbatim */
      back = cp_store_get_patient (store, patient->id, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (back->given_name, ==, hostile[i]);
      g_assert_cmpstr (back->family_name, ==, patient->family_name);
      g_assert_cmpstr (back->mrn, ==, patient->mrn);
      g_assert_cmpstr (back->address, ==, patient->address);
      read = cp_store_get_invoice (store, invoice->id, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (read->notes, ==, hostile[i]);
      g_assert_cmpstr (((CpLineItem *) g_ptr_array_index (read->line_items, 0))->description, ==, hostile[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GPtrArray) patients = cp_store_list_patients (store, hostile[i], 0, &error);
      CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
      g_autoptr(GPtrArray) invoices = NULL;
      g_autoptr(CpInvoice) by_number = NULL;
      g_autoptr(CpPatient) missing = NULL;
      g_autofree char *mrn = NULL;
      gboolean found = FALSE;

      /* Patients: the one with this text, and only ones that contain it literally */
      g_assert_no_error (error);
      for (guint k = 0; k < patients->len; k++)
        {
          CpPatient *p = g_ptr_array_index (patients, k);
          g_autofree char *all = g_strdup_printf ("%s|%s|%s|%s", p->mrn, p->given_name, p->family_name,
                                                  p->email ? p->email : "");
          found |= p->id == stored[i].patient_id;
          g_assert_true (contains_ci (all, hostile[i]));
        }
      g_assert_true (found);

      query.search = hostile[i];
      invoices = cp_store_list_invoices (store, &query, &error);
      g_assert_no_error (error);
      found = FALSE;
      for (guint k = 0; k < invoices->len; k++)
        {
          CpInvoiceSummary *inv = g_ptr_array_index (invoices, k);
          g_autoptr(CpPatient) p = cp_store_get_patient (store, inv->patient_id, NULL);
          g_autofree char *all = g_strdup_printf ("%s|%s|%s|%s", inv->number, inv->mrn,
                                                  p->given_name, p->family_name);
          found |= inv->id == stored[i].invoice_id;
          g_assert_true (contains_ci (all, hostile[i]));
        }
      g_assert_true (found);

      /* Lookups by exact value: not found, never an SQL error */
      by_number = cp_store_get_invoice_by_number (store, hostile[i], &error);
      g_assert_null (by_number);
      g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
      g_clear_error (&error);
      missing = cp_store_get_patient_by_mrn (store, hostile[i], &error);
      g_assert_null (missing);
      g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
      g_clear_error (&error);

      mrn = g_strdup_printf ("MRN %s %u", hostile[i], i);
      by_mrn = cp_store_get_patient_by_mrn (store, mrn, &error);
      g_assert_no_error (error);
      g_assert_cmpint (by_mrn->id, ==, stored[i].patient_id);
      g_clear_pointer (&by_mrn, cp_patient_free);
    }

  /* "%" and "_" are literal: no wildcard reaches the other patients */
  {
    g_autoptr(GPtrArray) percent = cp_store_list_patients (store, "%", 0, &error);
    g_autoptr(GPtrArray) underscore = cp_store_list_patients (store, "_", 0, &error);
    g_autoptr(GPtrArray) garcia = cp_store_list_patients (store, "Garc_a", 0, &error);

    g_assert_cmpuint (percent->len, ==, 2);     /* "%" and "50% off_\x" */
    g_assert_cmpuint (underscore->len, ==, 2);  /* "_" and "50% off_\x" */
    g_assert_cmpuint (garcia->len, ==, 0);      /* Maria Garcia is not matched by a wildcard */
  }

  assert_tables_intact (f, 1 + G_N_ELEMENTS (hostile), 3 + G_N_ELEMENTS (hostile));
  g_assert_true (cp_sqlite_integrity_check (cp_sqlite_store_get_connection (f->store), f->path, FALSE, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    g_free (stored[i].number);
}

static void
test_injection_ctl (LedgerFixture *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPatient) odd = cp_patient_new ();

  memset (f, 0, sizeof *f);
  lt_make_database (f);
  odd->mrn = g_strdup ("MRN-ODD");
  odd->given_name = g_strdup ("Percy");
  odd->family_name = g_strdup ("100% Sure_Thing");
  g_assert_true (cp_store_save_patient (CP_STORE (f->store), odd, &error));
  g_assert_no_error (error);
  {
    g_autoptr(CpInvoice) invoice = cp_invoice_new ();
    CpLineItem *item = cp_line_item_new ();

    invoice->patient = cp_patient_copy (odd);
    invoice->number = g_strdup ("INV-2026-000099");
    invoice->issue_date = g_strdup ("2026-03-01");
    invoice->due_date = g_strdup ("2026-03-31");
    item->description = g_strdup ("'; DROP TABLE invoices; --");
    item->quantity = 1;
    item->unit_amount = 700;
    g_ptr_array_add (invoice->line_items, item);
    g_assert_true (cp_store_create_invoice (CP_STORE (f->store), invoice, &error));
    g_assert_no_error (error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int wait_status = 0;

      g_ptr_array_add (argv, (gpointer) CAREPAYCTL);
      g_ptr_array_add (argv, (gpointer) "--db");
      g_ptr_array_add (argv, f->path);
      g_ptr_array_add (argv, (gpointer) "invoices");
      g_ptr_array_add (argv, (gpointer) "--search");
      g_ptr_array_add (argv, (gpointer) hostile[i]);
      g_ptr_array_add (argv, (gpointer) "--json");
      g_ptr_array_add (argv, NULL);
      g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, &err, &wait_status, &error));
      g_assert_no_error (error);
      g_assert_true (WIFEXITED (wait_status));
      g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);

      /* Only Percy's invoice has "%" or "_"; nothing else matches anything */
      if (g_str_equal (hostile[i], "%") || g_str_equal (hostile[i], "_"))
        {
          g_assert_nonnull (strstr (out, "INV-2026-000099"));
          g_assert_null (strstr (out, "INV-2026-000001"));
        }
      else
        {
          g_assert_null (strstr (out, "INV-2026-0000"));
        }
    }

  /* The lookup by number too */
  {
    const char *argv[] = { CAREPAYCTL, "--db", f->path, "invoice", "'; DROP TABLE invoices; --", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int wait_status = 0;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &wait_status, &error));
    g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);
    g_assert_true (g_str_has_prefix (err, "carepayctl: "));
  }

  assert_tables_intact (f, 2, 4);
}

/* Roles */

static void
test_roles_ledger (LedgerFixture *f,
                   gconstpointer  data)
{
  g_autoptr(CpPayment) paid = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) c = NULL;
  CpStaff inactive;

  SKIP_WITHOUT_SIM (f);
  paid = cp_ledger_pay_with_test_method (f->ledger, f->invoice_a, 0, "pm_card_visa",
                                         CP_PAYMENT_CHANNEL_DESK, f->clerk, NULL, &error);
  g_assert_no_error (error);

  /* A clerk may take payments but not refund or void */
  refunds = cp_ledger_refund (f->ledger, f->invoice_a, 0, "duplicate", f->clerk, NULL, &error);
  g_assert_null (refunds);
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_false (cp_ledger_void_invoice (f->ledger, f->invoice_c, f->clerk, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_clear_error (&error);

  /* Nobody signed in, or an account switched off, may do nothing */
  g_assert_null (cp_ledger_pay_with_test_method (f->ledger, f->invoice_b, 0, "pm_card_visa",
                                                 CP_PAYMENT_CHANNEL_DESK, NULL, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_clear_error (&error);
  inactive = *f->supervisor;
  inactive.active = FALSE;
  g_assert_null (cp_ledger_refund (f->ledger, f->invoice_a, 0, "duplicate", &inactive, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_false (cp_ledger_void_invoice (f->ledger, f->invoice_c, &inactive, NULL, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_clear_error (&error);

  /* Nothing reached Stripe or the ledger */
  a = lt_invoice (f, f->invoice_a);
  c = lt_invoice (f, f->invoice_c);
  g_assert_cmpint (a->amount_refunded, ==, 0);
  g_assert_false (c->voided);
  g_assert_cmpuint (lt_count_payment_intents (f->client), ==, 1);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM refunds"), ==, 0);

  /* The supervisor may (the rule is the role, not a broken refund) */
  refunds = cp_ledger_refund (f->ledger, f->invoice_a, 1000, "duplicate", f->supervisor, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (refunds->len, ==, 1);
}

static void
test_roles_ctl (LedgerFixture *f,
                gconstpointer  data)
{
  g_auto(CtlRun) paid = { 0 };
  g_auto(CtlRun) refund = { 0 };
  g_auto(CtlRun) voided = { 0 };
  g_auto(CtlRun) link = { 0 };
  g_auto(CtlRun) gone = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStaff) admin = NULL;
  g_autoptr(CpInvoice) a = NULL;
  g_autoptr(CpInvoice) c = NULL;

  SKIP_WITHOUT_SIM (f);
  ctl (f, &paid, "casey", "pay", "INV-2026-000001", "--payment-method", "pm_card_visa", NULL);
  g_assert_cmpint (paid.status, ==, 0);

  ctl (f, &refund, "casey", "refund", "INV-2026-000001", "--reason", "duplicate", NULL);
  g_assert_cmpint (refund.status, ==, 1);
  g_assert_nonnull (strstr (refund.err, "supervisor"));
  ctl (f, &voided, "casey", "void", "INV-2026-000003", NULL);
  g_assert_cmpint (voided.status, ==, 1);
  g_assert_nonnull (strstr (voided.err, "supervisor"));

  /* A switched-off supervisor cannot sign in at all */
  admin = cp_store_authenticate (CP_STORE (f->store), "ada", LT_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (cp_store_set_staff_active (CP_STORE (f->store), admin, f->supervisor->id, FALSE, &error));
  g_assert_no_error (error);
  ctl (f, &gone, "sam", "refund", "INV-2026-000001", "--reason", "duplicate", NULL);
  g_assert_cmpint (gone.status, ==, 1);
  ctl (f, &link, "sam", "link", "INV-2026-000003", NULL);
  g_assert_cmpint (link.status, ==, 1);

  a = lt_invoice (f, f->invoice_a);
  c = lt_invoice (f, f->invoice_c);
  g_assert_cmpint (a->amount_refunded, ==, 0);
  g_assert_false (c->voided);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM refunds"), ==, 0);
  g_assert_cmpint (lt_count_rows (f, "SELECT COUNT(*) FROM payment_links"), ==, 0);
}

/* Secrets */

static char *
read_all (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("");
  /* Bytes, NULs and all: made searchable as text */
  for (gsize i = 0; i < length; i++)
    if (contents[i] == '\0')
      contents[i] = '\n';
  return g_steal_pointer (&contents);
}

static void
assert_no_secret (const char *where,
                  const char *text,
                  GPtrArray  *secrets)
{
  for (guint i = 0; i < secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (secrets, i);

      if (strstr (text, secret) != NULL)
        g_error ("%s holds the secret %.12s…", where, secret);
    }
  if (strstr (text, "SECRETMARKER") != NULL)
    g_error ("%s holds a SECRETMARKER", where);
}

static void
test_secrets (LedgerFixture *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) outputs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpLedger) ledger = NULL;
  g_autoptr(CpPaymentAttempt) attempt = NULL;
  g_autoptr(CpPayment) paid = NULL;
  g_autoptr(CpPayment) completed = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autoptr(CpPaymentLinkInfo) link = NULL;
  g_autoptr(CpSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = NULL;
  const char *names[] = { "", "-wal" };

  SKIP_WITHOUT_SIM (f);
  g_ptr_array_add (secrets, g_strdup (SECRET_KEY));
  g_ptr_array_add (secrets, g_strdup (WEBHOOK_SECRET));
  g_string_truncate (captured_log, 0);

  /* In process, every debug line captured */
  client = stripe_sim_new_client (SECRET_KEY, CP_STORE (f->store));
  ledger = cp_ledger_new (CP_STORE (f->store), client);
  attempt = cp_ledger_begin_payment (ledger, f->invoice_b, 5000, CP_PAYMENT_CHANNEL_KIOSK, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (attempt->client_secret, "_secret_"));
  {
    g_autoptr(CpStripePaymentIntent) done =
      cp_stripe_payment_intent_confirm (client, attempt->payment_intent_id, "pm_card_visa", NULL, NULL, NULL, &error);
    g_assert_no_error (error);
  }
  completed = cp_ledger_complete_payment (ledger, attempt->payment_intent_id, NULL, &error);
  g_assert_no_error (error);
  paid = cp_ledger_pay_with_test_method (ledger, f->invoice_a, 0, "pm_card_visa", CP_PAYMENT_CHANNEL_DESK,
                                         f->clerk, NULL, &error);
  g_assert_no_error (error);
  refunds = cp_ledger_refund (ledger, f->invoice_a, 2500, "duplicate", f->supervisor, NULL, &error);
  g_assert_no_error (error);
  link = cp_ledger_create_link (ledger, f->invoice_c, f->clerk, NULL, &error);
  g_assert_no_error (error);
  sync = cp_sync_new (ledger);
  g_assert_true (cp_sync_run (sync, NULL, NULL, &error));
  g_assert_no_error (error);

  /* carepayctl with G_MESSAGES_DEBUG=all, its key on the command line */
  {
    g_auto(CtlRun) pay = { 0 };
    g_auto(CtlRun) refund = { 0 };
    g_auto(CtlRun) sync_run = { 0 };
    g_auto(CtlRun) verify = { 0 };
    g_auto(CtlRun) shown = { 0 };

    ctl_key (f, &pay, SECRET_KEY, "casey", "pay", "INV-2026-000002", "--payment-method", "pm_card_visa", "--json", NULL);
    g_assert_cmpint (pay.status, ==, 0);
    ctl_key (f, &refund, SECRET_KEY, "sam", "refund", "INV-2026-000002", "--amount", "1000", "--reason", "duplicate", NULL);
    g_assert_cmpint (refund.status, ==, 0);
    ctl_key (f, &sync_run, SECRET_KEY, NULL, "sync", "--json", NULL);
    g_assert_cmpint (sync_run.status, ==, 0);
    ctl_key (f, &verify, SECRET_KEY, NULL, "verify", "--json", NULL);
    ctl_key (f, &shown, SECRET_KEY, NULL, "invoice", "INV-2026-000002", "--json", NULL);
    g_assert_cmpint (shown.status, ==, 0);
    /* A wrong key is reported without being shown back whole */
    {
      g_auto(CtlRun) bad = { 0 };
      ctl_key (f, &bad, "rk_live_SECRETMARKER_wrong_0123456789", NULL, "verify", NULL);
      g_assert_cmpint (bad.status, ==, 1);
      g_ptr_array_add (outputs, g_strconcat (bad.out, bad.err, NULL));
    }
    g_ptr_array_add (outputs, g_strconcat (pay.out, pay.err, refund.out, refund.err, sync_run.out, sync_run.err,
                                           verify.out, verify.err, shown.out, shown.err, NULL));
  }

  /* carepayctl webhook-listen, secret from the environment */
  {
    g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_autoptr(GSubprocess) listener = NULL;
    g_autoptr(GDataInputStream) out = NULL;
    g_autoptr(CpStripeEvent) event = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autofree char *line = NULL;
    g_autofree char *payload = NULL;
    g_autofree char *rest = NULL;
    g_autofree char *err_text = NULL;
    g_autoptr(GBytes) err_bytes = NULL;
    const char *prefix = "carepayctl webhook-listen listening on ";

    g_subprocess_launcher_setenv (launcher, "CAREPAY_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET, TRUE);
    g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
    listener = g_subprocess_launcher_spawn (launcher, &error, CAREPAYCTL, "--db", f->path,
                                            "--api-base", stripe_sim_base_url (), "--secret-key", SECRET_KEY,
                                            "webhook-listen", "--port", "0", NULL);
    g_assert_no_error (error);
    out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (listener));
    line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (line, prefix));

    event = lt_wait_event (client, "payment_intent.succeeded", NULL);
    node = json_node_init_object (json_node_alloc (), event->json);
    payload = json_to_string (node, FALSE);
    g_assert_cmpuint (ctl_post_signed (line + strlen (prefix), payload, WEBHOOK_SECRET), ==, 200);
    g_assert_cmpuint (ctl_post_signed (line + strlen (prefix), payload, "whsec_SECRETMARKER_not_ours"), ==, 400);

    g_subprocess_send_signal (listener, SIGTERM);
    g_assert_true (g_subprocess_wait (listener, NULL, &error));
    rest = g_data_input_stream_read_upto (out, "", 0, NULL, NULL, NULL);
    err_bytes = g_input_stream_read_bytes (g_subprocess_get_stderr_pipe (listener), 1 << 20, NULL, &error);
    g_assert_no_error (error);
    err_text = g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
    g_ptr_array_add (outputs, g_strconcat (line, "\n", rest ? rest : "", err_text, NULL));
  }

  /* Every client secret Stripe ever made for us */
  {
    g_autoptr(CpStripeList) list = cp_stripe_payment_intent_list (client, NULL, 100, NULL, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (list->items->len, >=, 3);
    for (guint i = 0; i < list->items->len; i++)
      {
        CpStripePaymentIntent *pi = g_ptr_array_index (list->items, i);

        if (pi->client_secret != NULL)
          g_ptr_array_add (secrets, g_strdup (pi->client_secret));
      }
    g_assert_cmpuint (secrets->len, >=, 5);
  }

  /* The logs saw the flow (so the check means something) but no secret */
  g_assert_nonnull (strstr (captured_log->str, "POST"));
  assert_no_secret ("the log", captured_log->str, secrets);
  g_assert_null (strstr (captured_log->str, "_secret_"));
  for (guint i = 0; i < outputs->len; i++)
    {
      assert_no_secret ("carepayctl's output", g_ptr_array_index (outputs, i), secrets);
      g_assert_null (strstr (g_ptr_array_index (outputs, i), "_secret_"));
    }

  /* Nor the database, its WAL, or a backup of it */
  backup = g_build_filename (f->dir, "backup.db", NULL);
  g_assert_true (cp_sqlite_store_backup (f->store, backup, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_strconcat (f->path, names[i], NULL);
      g_autofree char *bytes = read_all (path);
      struct stat st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      assert_no_secret (path, bytes, secrets);
    }
  {
    g_autofree char *bytes = read_all (backup);
    struct stat st;

    g_assert_cmpint (g_stat (backup, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    assert_no_secret (backup, bytes, secrets);
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  captured_log = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/carepay/security/" path, LedgerFixture, NULL, lt_setup, func, lt_teardown)
  g_test_add ("/carepay/security/injection-store", LedgerFixture, NULL, NULL, test_injection_store, lt_teardown);
  g_test_add ("/carepay/security/injection-ctl", LedgerFixture, NULL, NULL, test_injection_ctl, lt_teardown);
  ADD ("roles-ledger", test_roles_ledger);
  ADD ("roles-ctl", test_roles_ctl);
  ADD ("secrets", test_secrets);
#undef ADD

  status = g_test_run ();
  stripe_sim_stop ();
  g_string_free (captured_log, TRUE);
  return status;
}
