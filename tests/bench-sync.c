/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Benchmark (issue #8): how fast CpSync applies Stripe's events compared
 * with how fast curl can page the same events out of the simulator.
 *
 * For each scenario: a seeded SQLite store in a temp dir, the real
 * carepay-stripe-sim on 127.0.0.1, and real events made through the
 * simulator's API as payments really happen (PaymentIntents for our invoices
 * confirmed with pm_card_visa, one in ten declined, one in five successful
 * payments partly refunded). Then three walks over the same events, oldest
 * page last as our client does (limit=100, starting_after):
 *   curl     /usr/bin/curl spawned for each page, same headers and key
 *   libsoup  cp_stripe_event_iter in this process, paging and parsing only
 *   sync     cp_sync_run() from an empty cursor into the store
 * and a plain table of events/s and sync/curl, each the best of three runs,
 * with the requests the sync made (event pages, other GETs, anything else:
 * counts, which the machine's load does not change) and the CPU seconds
 * this process spent paging (soup) and syncing (best of three)
 * (each sync into a fresh copy of the seeded store). Prints; asserts nothing
 * about speed. Then, for the 10k events and the first store size, the same
 * from a cursor (the usual case: the app synced before and the events came
 * since): the store's cursor on the oldest event, the others synced, curl
 * and soup paging forward from it (ending_before) as the sync does; the
 * sync both fetching the next pages while it applies one (the default) and
 * in turn (CAREPAY_SYNC_SERIAL=1), interleaved, best of five.
 * Usage: bench-sync [--quick] (--quick: the 1k and 10k rows only). */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "cp-seed.h"
#include "cp-sqlite-store.h"
#include "cp-stripe-events.h"
#include "cp-stripe-payment-intents.h"
#include "cp-stripe-refunds.h"
#include "cp-stripe-version.h"
#include "cp-sync.h"
#include "test-stripe-fixture.h"

#define CURL "/usr/bin/curl"
#define PAGE 100
#define PAYING_INVOICES 1000  /* events go to the first 1,000 invoices */

typedef struct {
  char          *dir;
  char          *path;
  CpSqliteStore *store;
  guint          n_invoices;
} Store;

static void
store_open (Store *s,
            guint  n_invoices)
{
  g_autoptr(GError) error = NULL;

  s->n_invoices = n_invoices;
  s->dir = g_dir_make_tmp ("carepay-bench-sync-XXXXXX", &error);
  g_assert_no_error (error);
  s->path = g_build_filename (s->dir, "carepay.db", NULL);
  s->store = cp_sqlite_store_open (s->path, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (cp_seed_demo (CP_STORE (s->store), n_invoices, 8, g_getenv ("CAREPAY_TODAY"), &error));
  g_assert_no_error (error);
}

static void
store_close (Store *s)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_clear_object (&s->store);
  d = g_dir_open (s->dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (s->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (s->dir);
  g_clear_pointer (&s->dir, g_free);
  g_clear_pointer (&s->path, g_free);
}

/* Payments as the desks and the kiosk make them, until the simulator holds
 * at least `n_events` events. Returns how many it holds. */
static guint
make_events (CpStripeClient *client,
             CpStore        *store,
             guint           n_events)
{
  guint events = 0;

  for (guint i = 0; events < n_events; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CpInvoice) invoice = cp_store_get_invoice (store, 1 + (i % PAYING_INVOICES), &error);
      g_autoptr(CpStripePaymentIntent) pi = NULL;
      g_autoptr(CpStripePaymentIntent) done = NULL;
      g_autofree char *currency = NULL;
      CpStripePaymentIntentParams params = { 0 };
      gboolean decline = i % 10 == 9;

      g_assert_no_error (error);
      currency = g_ascii_strdown (invoice->currency, -1);
      params.amount = 100;
      params.currency = currency;
      params.invoice_id = invoice->id;
      params.invoice_number = invoice->number;
      params.card_only = TRUE;
      pi = cp_stripe_payment_intent_create (client, &params, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      done = cp_stripe_payment_intent_confirm (client, pi->id, decline ? "pm_card_chargeDeclined" : "pm_card_visa",
                                               NULL, NULL, NULL, &error);
      /* created, then succeeded + charge.succeeded or payment_failed + charge.failed */
      events += 3;
      if (decline)
        {
          g_assert_null (done);
          continue;
        }
      g_assert_no_error (error);
      if (i % 5 == 0)
        {
          CpStripeRefundParams rp = { 0 };
          g_autoptr(CpStripeRefund) refund = NULL;

          rp.payment_intent = pi->id;
          rp.amount = 50;
          rp.invoice_id = invoice->id;
          refund = cp_stripe_refund_create (client, &rp, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
          events += 2; /* refund.created, charge.refunded */
        }
    }
  return events;
}

/* The last event id of a page (the oldest on it) and has_more, read the
 * cheap way so curl's side pays for as little parsing as possible. */
static char *
page_last_id (const char *body,
              gboolean   *has_more,
              guint      *count)
{
  const char *p = body;
  const char *last = NULL;

  /* Only the events themselves carry evt_ ids */
  *count = 0;
  while ((p = strstr (p, "\"evt_")) != NULL)
    {
      last = ++p;
      (*count)++;
    }
  /* the list's own, after data[] (objects inside may hold lists too) */
  p = g_strrstr (body, "\"has_more\"");
  if (p != NULL)
    p += strlen ("\"has_more\"") + strspn (p + strlen ("\"has_more\""), " :");
  *has_more = p != NULL && g_str_has_prefix (p, "true");
  if (last == NULL)
    return NULL;
  return g_strndup (last, strcspn (last, "\""));
}

/* CPU seconds this process has used (the simulator and curl are others) */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double
walk_curl (guint *out_events)
{
  g_autofree char *after = NULL;
  g_autofree char *auth = g_strdup ("Authorization: Bearer " SIM_KEY);
  g_autofree char *version = g_strdup_printf ("Stripe-Version: %s", CP_STRIPE_API_VERSION);
  gint64 start = g_get_monotonic_time ();
  gboolean more = TRUE;
  guint total = 0;

  while (more)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;
      g_autofree char *out = NULL;
      int status = 0;
      guint count;
      const char *argv[] = {
        CURL, "-sS", "--fail", NULL /* url */,
        "-H", auth, "-H", version, "-H", "Accept: application/json",
        NULL
      };

      if (after != NULL)
        url = g_strdup_printf ("%s/v1/events?limit=%d&starting_after=%s", stripe_sim_base_url (), PAGE, after);
      else
        url = g_strdup_printf ("%s/v1/events?limit=%d", stripe_sim_base_url (), PAGE);
      argv[3] = url;
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                                   &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_free (after);
      after = page_last_id (out, &more, &count);
      total += count;
      if (after == NULL)
        break;
    }
  *out_events = total;
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
walk_soup (CpStripeClient *client,
           guint          *out_events,
           double         *out_cpu)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripeEventIter) iter = cp_stripe_event_iter_new (client, NULL, NULL);
  g_autoptr(GPtrArray) events = NULL;
  gint64 start = g_get_monotonic_time ();
  double cpu = cpu_seconds ();

  /* From no cursor the iterator walks back page by page to the oldest */
  events = cp_stripe_event_iter_next (iter, NULL, NULL, &error);
  g_assert_no_error (error);
  *out_events = events->len;
  *out_cpu = cpu_seconds () - cpu;
  return (g_get_monotonic_time () - start) / 1e6;
}

/* Requests the sync makes: load-independent, unlike its time */
typedef struct {
  gint event_pages;   /* GET /v1/events */
  gint object_gets;   /* any other GET (a PaymentIntent, a refund, a list of refunds) */
  gint other;         /* not a GET */
} Requests;

static void
count_request (const char   *method,
               const char   *path,
               CpStripeForm *form,
               gpointer      user_data)
{
  Requests *requests = user_data;

  if (!g_str_equal (method, "GET"))
    g_atomic_int_inc (&requests->other);
  else if (g_str_equal (path, "/v1/events"))
    g_atomic_int_inc (&requests->event_pages);
  else
    g_atomic_int_inc (&requests->object_gets);
}

static double
walk_sync (CpStripeClient *client,
           CpStore        *store,
           guint          *out_applied,
           Requests       *requests,
           double         *out_cpu)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpLedger) ledger = cp_ledger_new (store, client);
  g_autoptr(CpSync) sync = cp_sync_new (ledger);
  gint64 start = g_get_monotonic_time ();
  double cpu = cpu_seconds ();
  double seconds;

  *requests = (Requests) { 0 };
  cp_stripe_client_set_request_hook (client, count_request, requests, NULL);
  g_assert_true (cp_sync_run (sync, NULL, out_applied, &error));
  g_assert_no_error (error);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  *out_cpu = cpu_seconds () - cpu;
  cp_stripe_client_set_request_hook (client, NULL, NULL, NULL);
  return seconds;
}

static char *
row (guint  invoices,
     guint  events,
     double curl_s,
     double soup_s,
     double sync_s,
     guint  applied,
     const Requests *requests,
     double soup_cpu,
     double sync_cpu)
{
  double curl_rate = events / curl_s;
  double soup_rate = events / soup_s;
  double sync_rate = events / sync_s;

  return g_strdup_printf ("%9u %7u %8.2f %9.0f %8.2f %9.0f %8.2f %9.0f %8u %6.0f%% %6d %6d %5d %8.2f %8.2f\n",
           invoices, events, curl_s, curl_rate, soup_s, soup_rate, sync_s, sync_rate, applied,
           100.0 * sync_rate / curl_rate, requests->event_pages, requests->object_gets, requests->other,
           soup_cpu, sync_cpu);
}

/* A copy of the seeded store's file (closed, so complete), to sync into */
static CpSqliteStore *
store_copy (Store      *s,
            const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  CpSqliteStore *store;

  g_assert_true (g_file_get_contents (s->path, &contents, &length, &error));
  g_assert_true (g_file_set_contents (path, contents, length, &error));
  g_assert_no_error (error);
  store = cp_sqlite_store_open (path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  return store;
}

/* From a cursor: the store's cursor on the oldest event, as after an
 * earlier sync, and the others synced. Stripe is asked for the events after
 * it (ending_before), a page at a time, newest page last. */

/* The first event id of a page: the newest on it */
static char *
page_first_id (const char *body)
{
  const char *p = strstr (body, "\"evt_");

  if (p == NULL)
    return NULL;
  p++;
  return g_strndup (p, strcspn (p, "\""));
}

static double
walk_curl_forward (const char *cursor,
                   guint      *out_events)
{
  g_autofree char *before = g_strdup (cursor);
  g_autofree char *auth = g_strdup ("Authorization: Bearer " SIM_KEY);
  g_autofree char *version = g_strdup_printf ("Stripe-Version: %s", CP_STRIPE_API_VERSION);
  gint64 start = g_get_monotonic_time ();
  gboolean more = TRUE;
  guint total = 0;

  while (more)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = g_strdup_printf ("%s/v1/events?limit=%d&ending_before=%s", stripe_sim_base_url (),
                                              PAGE, before);
      g_autofree char *out = NULL;
      g_autofree char *last = NULL;
      int status = 0;
      guint count;
      const char *argv[] = {
        CURL, "-sS", "--fail", url,
        "-H", auth, "-H", version, "-H", "Accept: application/json",
        NULL
      };

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                                   &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      last = page_last_id (out, &more, &count);
      total += count;
      if (count == 0)
        break;
      g_free (before);
      before = page_first_id (out);
    }
  *out_events = total;
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
walk_soup_forward (CpStripeClient *client,
                   const char     *cursor,
                   guint          *out_events,
                   double         *out_cpu)
{
  g_autoptr(CpStripeEventIter) iter = cp_stripe_event_iter_new (client, cursor, NULL);
  gint64 start = g_get_monotonic_time ();
  double cpu = cpu_seconds ();
  guint total = 0;

  do
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = cp_stripe_event_iter_next (iter, NULL, NULL, &error);

      g_assert_no_error (error);
      total += events->len;
    }
  while (!cp_stripe_event_iter_is_caught_up (iter));
  *out_events = total;
  *out_cpu = cpu_seconds () - cpu;
  return (g_get_monotonic_time () - start) / 1e6;
}

/* More runs than above: the two ways of syncing are compared, interleaved */
#define CURSOR_RUNS 5

static void
from_cursor (Store   *s,
             guint    made,
             GString *rows)
{
  g_autoptr(CpStripeEvent) oldest = NULL;
  g_autofree char *created = NULL;
  double curl_s = G_MAXDOUBLE, soup_s = G_MAXDOUBLE, soup_cpu = G_MAXDOUBLE;
  double sync_s[2] = { G_MAXDOUBLE, G_MAXDOUBLE }, sync_cpu[2] = { G_MAXDOUBLE, G_MAXDOUBLE };
  Requests requests[2] = { { 0 } };
  guint applied[2] = { 0 };
  guint n = made - 1;

  {
    g_autoptr(CpStripeClient) client = stripe_sim_new_client (SIM_KEY, NULL);
    g_autoptr(CpStripeEventIter) iter = cp_stripe_event_iter_new (client, NULL, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) events = cp_stripe_event_iter_next (iter, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (events->len, ==, made);
    oldest = g_ptr_array_steal_index (events, 0);
  }
  created = g_strdup_printf ("%" G_GINT64_FORMAT, oldest->created);

  for (guint run = 0; run < CURSOR_RUNS; run++)
    {
      guint curl_n = 0, soup_n = 0;
      double soup_c;
      double curl_t = walk_curl_forward (oldest->id, &curl_n);

      curl_s = MIN (curl_s, curl_t);
      {
        g_autoptr(CpStripeClient) client = stripe_sim_new_client (SIM_KEY, NULL);
        double soup_t = walk_soup_forward (client, oldest->id, &soup_n, &soup_c);

        soup_s = MIN (soup_s, soup_t);
        soup_cpu = MIN (soup_cpu, soup_c);
      }
      g_assert_cmpuint (curl_n, ==, n);
      g_assert_cmpuint (soup_n, ==, n);

      /* 0: fetching the next pages while applying (the default), 1: in
       * turn; which goes first alternates */
      for (guint i = 0; i < 2; i++)
        {
          guint way = (run + i) % 2;
          g_autoptr(GError) error = NULL;
          g_autofree char *path = g_strdup_printf ("%s.cursor%u-%u", s->path, run, way);
          g_autoptr(CpSqliteStore) store = store_copy (s, path);
          g_autoptr(CpStripeClient) client = stripe_sim_new_client (SIM_KEY, CP_STORE (store));
          double sync_c, sync_t;

          g_assert_true (cp_store_set_meta (CP_STORE (store), "sync.cursor", oldest->id, &error));
          g_assert_true (cp_store_set_meta (CP_STORE (store), "sync.cursor_created", created, &error));
          g_assert_no_error (error);
          if (way == 1)
            g_setenv ("CAREPAY_SYNC_SERIAL", "1", TRUE);
          sync_t = walk_sync (client, CP_STORE (store), &applied[way], &requests[way], &sync_c);
          g_unsetenv ("CAREPAY_SYNC_SERIAL");
          g_assert_cmpuint (applied[way], ==, n);
          sync_s[way] = MIN (sync_s[way], sync_t);
          sync_cpu[way] = MIN (sync_cpu[way], sync_c);
        }
    }

  for (guint way = 0; way < 2; way++)
    {
      g_autofree char *line = row (s->n_invoices, n, curl_s, soup_s, sync_s[way], applied[way], &requests[way],
                                   soup_cpu, sync_cpu[way]);

      g_string_append_printf (rows, "%-9s %s", way == 0 ? "prefetch" : "in turn", line);
    }
}

/* One set of events on the simulator, then each store size against it.
 * Each walk runs RUNS times, interleaved, and the best time counts: the
 * machine is shared and its load comes and goes. */
#define RUNS 3

static void
scenario (guint        n_events,
          const guint *store_sizes,
          guint        n_sizes,
          GString     *cursor_rows)
{
  g_autoptr(CpStripeClient) maker = NULL;
  Store first = { 0 };
  guint made;

  stripe_sim_reset ();
  store_open (&first, store_sizes[0]);
  maker = stripe_sim_new_client (SIM_KEY, CP_STORE (first.store));
  made = make_events (maker, CP_STORE (first.store), n_events);
  g_clear_object (&maker);

  for (guint k = 0; k < n_sizes; k++)
    {
      Store other = { 0 };
      Store *s = &first;
      double curl_s = G_MAXDOUBLE, soup_s = G_MAXDOUBLE, sync_s = G_MAXDOUBLE;
      guint applied = 0;
      Requests requests = { 0 };
      double soup_cpu = G_MAXDOUBLE, sync_cpu = G_MAXDOUBLE;

      if (k > 0)
        {
          store_open (&other, store_sizes[k]);
          s = &other;
        }
      g_clear_object (&s->store);
      for (guint run = 0; run < RUNS; run++)
        {
          g_autofree char *path = g_strdup_printf ("%s.run%u", s->path, run);
          g_autoptr(CpSqliteStore) store = store_copy (s, path);
          g_autoptr(CpStripeClient) client = stripe_sim_new_client (SIM_KEY, CP_STORE (store));
          guint curl_n = 0, soup_n = 0;
          double soup_c, sync_c;

          /* (MIN() would run a walk twice) */
          double curl_t = walk_curl (&curl_n);
          double soup_t = walk_soup (client, &soup_n, &soup_c);
          double sync_t = walk_sync (client, CP_STORE (store), &applied, &requests, &sync_c);

          curl_s = MIN (curl_s, curl_t);
          soup_s = MIN (soup_s, soup_t);
          sync_s = MIN (sync_s, sync_t);
          soup_cpu = MIN (soup_cpu, soup_c);
          sync_cpu = MIN (sync_cpu, sync_c);
          g_assert_cmpuint (curl_n, ==, made);
          g_assert_cmpuint (soup_n, ==, made);
          /* the copies go with the temp dir */
        }
      {
        g_autofree char *line = row (store_sizes[k], made, curl_s, soup_s, sync_s, applied, &requests, soup_cpu,
                                     sync_cpu);
        g_print ("%s", line);
      }
      if (k == 0 && cursor_rows != NULL)
        from_cursor (s, made, cursor_rows);
      if (k > 0)
        store_close (&other);
    }
  store_close (&first);
}

int
main (int    argc,
      char **argv)
{
  static const guint small[] = { 1000 };
  static const guint sizes[] = { 1000, 10000, 100000 };
  gboolean quick = argc > 1 && g_str_equal (argv[1], "--quick");
  g_autoptr(GString) cursor_rows = g_string_new (NULL);

  if (g_getenv ("CAREPAY_TODAY") == NULL)
    g_setenv ("CAREPAY_TODAY", "2026-03-15", TRUE);
  if (!g_file_test (CURL, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("bench-sync: %s is missing (apt install curl)\n", CURL);
      return 77;
    }
  if (!stripe_sim_start ())
    {
      g_print ("bench-sync: CAREPAY_STRIPE_SIM does not name the simulator\n");
      return 77;
    }

  g_print ("Sync throughput: events/s paging /v1/events (limit=%d) and applying them (issue #8)\n", PAGE);
  g_print ("%9s %7s %8s %9s %8s %9s %8s %9s %8s %7s %6s %6s %5s %8s %8s\n",
           "invoices", "events", "curl s", "curl ev/s", "soup s", "soup ev/s", "sync s", "sync ev/s",
           "applied", "sync/curl", "pages", "GETs", "other", "soup cpu", "sync cpu");
  scenario (1000, small, 1, NULL);
  scenario (10000, quick ? small : sizes, quick ? 1 : G_N_ELEMENTS (sizes), cursor_rows);
  g_print ("\nFrom a cursor: the store's sync cursor on the oldest event (as after an earlier sync), the\n"
           "others synced; curl and soup page forward from it (ending_before). The sync fetches the next\n"
           "pages while it applies one (prefetch) or in turn (CAREPAY_SYNC_SERIAL=1), interleaved, best of %d\n",
           CURSOR_RUNS);
  g_print ("%-9s %9s %7s %8s %9s %8s %9s %8s %9s %8s %7s %6s %6s %5s %8s %8s\n", "sync",
           "invoices", "events", "curl s", "curl ev/s", "soup s", "soup ev/s", "sync s", "sync ev/s",
           "applied", "sync/curl", "pages", "GETs", "other", "soup cpu", "sync cpu");
  g_print ("%s", cursor_rows->str);
  stripe_sim_stop ();
  return 0;
}
