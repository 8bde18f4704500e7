/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training mode's demo payments made for real on carepay-stripe-sim: the
 * demo set seeded with its payments planned, the plan carried out through
 * the ledger, and the ledger then agrees with "Stripe" — also through
 * `carepayctl seed-demo --stripe`. A real SQLite file in a temp dir, the
 * real simulator on 127.0.0.1. */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "cp-error.h"
#include "cp-ledger.h"
#include "cp-seed.h"
#include "cp-sqlite-store.h"
#include "test-stripe-fixture.h"

#define TODAY "2026-03-15"

typedef struct {
  char          *dir;
  char          *path;
  CpSqliteStore *store;
  CpStripeClient *client;
  CpLedger      *ledger;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  memset (f, 0, sizeof *f);
  if (!stripe_sim_require ())
    return;
  f->dir = g_dir_make_tmp ("carepay-training-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  f->client = stripe_sim_new_client (SIM_KEY, CP_STORE (f->store));
  f->ledger = cp_ledger_new (CP_STORE (f->store), f->client);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->ledger);
  g_clear_object (&f->client);
  g_clear_object (&f->store);
  if (f->dir != NULL)
    {
      const char *suffixes[] = { "", "-wal", "-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (f->path, suffixes[i], NULL);

          g_unlink (file);
        }
      g_rmdir (f->dir);
    }
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->path, g_free);
}

static void
count_statuses (CpStore *store,
                int      counts[CP_N_INVOICE_STATUSES])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) invoices = cp_store_list_invoices (store, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (invoices->len, ==, 15);
  memset (counts, 0, sizeof (int) * CP_N_INVOICE_STATUSES);
  for (guint i = 0; i < invoices->len; i++)
    counts[((CpInvoiceSummary *) g_ptr_array_index (invoices, i))->status]++;
}

/* The classic mix: 6 pending, 4 overdue, 3 paid, 1 partly paid, 1 void. */
static void
assert_classic_mix (CpStore *store)
{
  int counts[CP_N_INVOICE_STATUSES];

  count_statuses (store, counts);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PENDING], ==, 6);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_OVERDUE], ==, 4);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PAID], ==, 3);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PARTIALLY_PAID], ==, 1);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_CANCELLED], ==, 1);
}

static void
assert_no_differences (CpLedger *ledger)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) differences = cp_ledger_verify (ledger, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < differences->len; i++)
    {
      CpLedgerDifference *d = g_ptr_array_index (differences, i);

      g_test_message ("Unexpected difference: %s %s %s", d->invoice_number, d->stripe_id, d->what);
    }
  g_assert_cmpuint (differences->len, ==, 0);
}

/* Every payment on the database is a real PaymentIntent of the simulator,
 * with the channel and card the plan said. */
static void
assert_real_payments (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payments = cp_store_list_payments (CP_STORE (f->store), 0, &error);
  g_autoptr(GPtrArray) staff = cp_store_list_staff (CP_STORE (f->store), &error);
  gint64 clerk_id = 0;
  guint n_desk = 0, n_kiosk = 0, n_link = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < staff->len; i++)
    if (g_str_equal (((CpStaff *) staff->pdata[i])->username, "clerk"))
      clerk_id = ((CpStaff *) staff->pdata[i])->id;
  g_assert_cmpint (clerk_id, >, 0);

  g_assert_cmpuint (payments->len, ==, 4);
  for (guint i = 0; i < payments->len; i++)
    {
      CpPayment *p = g_ptr_array_index (payments, i);

      g_assert_true (g_str_has_prefix (p->stripe_payment_intent_id, "pi_"));
      g_assert_false (g_str_has_prefix (p->stripe_payment_intent_id, "pi_demo_"));
      g_assert_cmpstr (p->status, ==, "succeeded");
      g_assert_true (g_str_equal (p->card_brand, "visa") || g_str_equal (p->card_brand, "mastercard"));
      g_assert_cmpuint (strlen (p->card_last4), ==, 4);
      switch (p->channel)
        {
        case CP_PAYMENT_CHANNEL_DESK:
          n_desk++;
          g_assert_cmpint (p->staff_id, ==, clerk_id);
          break;
        case CP_PAYMENT_CHANNEL_KIOSK:
          n_kiosk++;
          g_assert_cmpint (p->staff_id, ==, 0);
          break;
        case CP_PAYMENT_CHANNEL_LINK:
          n_link++;
          g_assert_cmpint (p->staff_id, ==, 0);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_assert_cmpuint (n_desk, ==, 2);
  g_assert_cmpuint (n_kiosk, ==, 1);
  g_assert_cmpuint (n_link, ==, 1);
}

static void
test_stripe_payments (Fixture       *f,
                      gconstpointer  data)
{
  CpStore *store;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  int counts[CP_N_INVOICE_STATUSES];
  guint n_made = 99;

  if (f->store == NULL)
    return;
  store = CP_STORE (f->store);

  g_assert_true (cp_seed_demo_full (store, 0, 0, TODAY, CP_SEED_STRIPE_PAYMENTS, &error));
  g_assert_no_error (error);

  /* Seeded: the payments are a plan, nothing is paid yet. */
  payments = cp_store_list_payments (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (payments->len, ==, 0);
  count_statuses (store, counts);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PAID], ==, 0);
  g_assert_cmpint (counts[CP_INVOICE_STATUS_PARTIALLY_PAID], ==, 0);
  plan = cp_seed_demo_planned_payments (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->len, ==, 4);
  for (guint i = 0; i < plan->len; i++)
    {
      CpSeedPayment *p = g_ptr_array_index (plan, i);
      g_autoptr(CpInvoice) invoice = cp_store_get_invoice_by_number (store, p->invoice_number, &error);

      g_assert_no_error (error);
      g_assert_cmpint (p->amount, >, 0);
      g_assert_cmpint (p->amount, <=, invoice->total);
      g_assert_true (g_str_equal (p->payment_method, "pm_card_visa") ||
                     g_str_equal (p->payment_method, "pm_card_mastercard"));
    }

  /* Made on the simulator: the classic mix, and Stripe agrees. */
  g_assert_true (cp_seed_demo_make_payments (f->ledger, NULL, &n_made, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_made, ==, 4);
  assert_classic_mix (store);
  assert_real_payments (f);
  assert_no_differences (f->ledger);
  after = cp_seed_demo_planned_payments (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, 0);

  /* Again: nothing left to pay, nothing paid twice. */
  g_assert_true (cp_seed_demo_make_payments (f->ledger, NULL, &n_made, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_made, ==, 0);
  assert_real_payments (f);
}

/* A run cut short (one invoice paid, the plan still there) is finished
 * without paying that invoice twice. */
static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  CpStore *store;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(CpInvoice) first = NULL;
  g_autoptr(CpPayment) payment = NULL;
  CpSeedPayment *planned;
  guint n_made = 0;

  if (f->store == NULL)
    return;
  store = CP_STORE (f->store);

  g_assert_true (cp_seed_demo_full (store, 0, 0, TODAY, CP_SEED_STRIPE_PAYMENTS, &error));
  g_assert_no_error (error);
  plan = cp_seed_demo_planned_payments (store, &error);
  g_assert_no_error (error);
  /* The first planned payment is a kiosk one (no staff needed). */
  planned = NULL;
  for (guint i = 0; i < plan->len && planned == NULL; i++)
    if (((CpSeedPayment *) plan->pdata[i])->channel != CP_PAYMENT_CHANNEL_DESK)
      planned = plan->pdata[i];
  g_assert_nonnull (planned);
  first = cp_store_get_invoice_by_number (store, planned->invoice_number, &error);
  g_assert_no_error (error);
  payment = cp_ledger_pay_with_test_method (f->ledger, first->id, planned->amount, planned->payment_method,
                                            planned->channel, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (payment);

  g_assert_true (cp_seed_demo_make_payments (f->ledger, NULL, &n_made, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_made, ==, 3);
  assert_classic_mix (store);
  assert_real_payments (f);
  assert_no_differences (f->ledger);
}

/* Offline (carepayctl seed-demo without --stripe): the payments are
 * recorded as before with made-up ids, which Stripe rightly does not know. */
static void
test_offline_differs (Fixture       *f,
                      gconstpointer  data)
{
  CpStore *store;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GPtrArray) differences = NULL;
  guint n_made = 99;

  if (f->store == NULL)
    return;
  store = CP_STORE (f->store);

  g_assert_true (cp_seed_demo (store, 0, 0, TODAY, &error));
  g_assert_no_error (error);
  assert_classic_mix (store);
  plan = cp_seed_demo_planned_payments (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->len, ==, 0);
  g_assert_true (cp_seed_demo_make_payments (f->ledger, NULL, &n_made, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_made, ==, 0);

  differences = cp_ledger_verify (f->ledger, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (differences->len, >=, 4);
}

static int
run_ctl (const char * const *args,
         char              **out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *err = NULL;
  int status = 0;

  envp = g_environ_unsetenv (envp, "CAREPAY_STRIPE_SECRET_KEY");
  g_ptr_array_add (argv, (gpointer) CAREPAYCTL);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               out, &err, &status, &error));
  g_assert_no_error (error);
  if (err != NULL && *err != '\0')
    g_test_message ("carepayctl: %s", err);
  return g_spawn_check_wait_status (status, NULL) ? 0 : WEXITSTATUS (status);
}

/* carepayctl seed-demo --stripe, for scripted demos. */
static void
test_ctl_seed_stripe (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *out3 = NULL;
  g_autofree char *other = NULL;

  if (f->store == NULL)
    return;
  /* The fixture's store stays open: the command writes the same file. */
  {
    const char *args[] = { "--db", f->path, "--api-base", stripe_sim_base_url (), "--secret-key", SIM_KEY,
                           "seed-demo", "--stripe", NULL };

    g_assert_cmpint (run_ctl (args, &out), ==, 0);
  }
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "15 invoices"));
  g_assert_nonnull (strstr (out, "Made 4 demo payments on Stripe"));
  assert_classic_mix (CP_STORE (f->store));
  assert_real_payments (f);
  assert_no_differences (f->ledger);

  /* Seeded already, nothing left to make: refused as without --stripe. */
  {
    const char *args[] = { "--db", f->path, "--api-base", stripe_sim_base_url (), "--secret-key", SIM_KEY,
                           "seed-demo", "--stripe", NULL };

    g_assert_cmpint (run_ctl (args, &out2), ==, 1);
  }

  /* Wrong combinations are usage errors, before the database is touched. */
  other = g_build_filename (f->dir, "other.db", NULL);
  {
    const char *args[] = { "--db", other, "--secret-key", SIM_KEY, "seed-demo", "--stripe",
                           "--invoices", "20", NULL };

    g_assert_cmpint (run_ctl (args, &out3), ==, 2);
  }
  g_clear_pointer (&out3, g_free);
  {
    const char *args[] = { "--db", other, "seed-demo", "--stripe", NULL };

    g_assert_cmpint (run_ctl (args, &out3), ==, 2);
  }
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/carepay/training/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("stripe-payments", test_stripe_payments);
  ADD ("resume", test_resume);
  ADD ("offline-differs", test_offline_differs);
  ADD ("ctl-seed-stripe", test_ctl_seed_stripe);
#undef ADD

  ret = g_test_run ();
  stripe_sim_stop ();
  return ret;
}
