/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ctl-test-util.h"

#define TODAY "2026-03-15"

typedef struct {
  char *dir;
  char *db;
} Fixture;

/* carepayctl ARGS... (NULL-terminated) on the tests' fixed day. */
static const char * const today_env[] = { "CAREPAY_TODAY=" TODAY, NULL };
#define ctl(run, ...) ctl_run (run, today_env, __VA_ARGS__)

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return g_strdup ("missing");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(CtlRun) run = { 0 };

  f->dir = g_dir_make_tmp ("carepay-ctl-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "carepay.db", NULL);

  ctl (&run, "--db", f->db, "seed-demo", NULL);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "15 invoices"));
  g_assert_nonnull (strstr (run.out, "5 patients"));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->db);
  g_free (f->dir);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
assert_members (JsonObject         *object,
                const char * const *expected)
{
  g_autoptr(GList) members = json_object_get_members (object);

  g_assert_cmpuint (g_list_length (members), ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_true (json_object_has_member (object, expected[i]));
}

static const char * const invoice_fields[] = {
  "number", "patient", "status", "currency", "issue_date", "due_date", "subtotal", "tax", "total",
  "amount_paid", "amount_refunded", "balance_due", "line_items", "payments", "refunds", NULL
};
static const char * const patient_fields[] = { "id", "mrn", "name", NULL };
static const char * const item_fields[] = {
  "description", "quantity", "unit_amount", "amount", "service_date", "provider", NULL
};

/* The invariants that hold for every invoice object. */
static void
check_invoice (JsonObject *inv)
{
  JsonArray *items = json_object_get_array_member (inv, "line_items");
  JsonArray *payments = json_object_get_array_member (inv, "payments");
  gint64 subtotal = 0, paid = 0;
  gint64 total, balance;

  assert_members (inv, invoice_fields);
  assert_members (json_object_get_object_member (inv, "patient"), patient_fields);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (inv, "patient"), "id"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (inv, "currency"), ==, "USD");
  g_assert_cmpuint (json_array_get_length (items), >, 0);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      assert_members (item, item_fields);
      g_assert_cmpint (json_object_get_int_member (item, "amount"), ==,
                       json_object_get_int_member (item, "quantity") * json_object_get_int_member (item, "unit_amount"));
      subtotal += json_object_get_int_member (item, "amount");
    }
  for (guint i = 0; i < json_array_get_length (payments); i++)
    {
      JsonObject *p = json_array_get_object_element (payments, i);
      if (g_str_equal (json_object_get_string_member (p, "status"), "succeeded"))
        paid += json_object_get_int_member (p, "amount");
    }

  total = json_object_get_int_member (inv, "total");
  balance = json_object_get_int_member (inv, "balance_due");
  g_assert_cmpint (json_object_get_int_member (inv, "subtotal"), ==, subtotal);
  g_assert_cmpint (total, ==, subtotal + json_object_get_int_member (inv, "tax"));
  g_assert_cmpint (json_object_get_int_member (inv, "amount_paid"), ==, paid);

  if (g_str_equal (json_object_get_string_member (inv, "status"), "paid") ||
      g_str_equal (json_object_get_string_member (inv, "status"), "cancelled"))
    g_assert_cmpint (balance, ==, 0);
  else
    g_assert_cmpint (balance, ==, total - paid + json_object_get_int_member (inv, "amount_refunded"));
}

static void
test_invoices_json (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(CtlRun) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;
  g_autoptr(GHashTable) statuses = g_hash_table_new (g_str_hash, g_str_equal);

  ctl (&run, "--db", f->db, "invoices", "--json", NULL);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  root = parse (run.out);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 15);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *inv = json_array_get_object_element (array, i);

      check_invoice (inv);
      g_hash_table_add (statuses, (gpointer) json_object_get_string_member (inv, "status"));
      /* Newest first */
      if (i > 0)
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, i - 1), "issue_date"),
                         >=, json_object_get_string_member (inv, "issue_date"));
    }
  g_assert_true (g_hash_table_contains (statuses, "pending"));
  g_assert_true (g_hash_table_contains (statuses, "overdue"));
  g_assert_true (g_hash_table_contains (statuses, "paid"));
  g_assert_true (g_hash_table_contains (statuses, "partially_paid"));
  g_assert_true (g_hash_table_contains (statuses, "cancelled"));
}

static void
test_invoices_filters (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(CtlRun) run = { 0 };

  {
    g_autoptr(JsonNode) root = NULL;
    JsonArray *array;

    ctl (&run, "--db", f->db, "invoices", "--status", "overdue", "--json", NULL);
    g_assert_cmpint (run.status, ==, 0);
    root = parse (run.out);
    array = json_node_get_array (root);
    g_assert_cmpuint (json_array_get_length (array), >=, 3);
    g_assert_cmpuint (json_array_get_length (array), <=, 4);
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *inv = json_array_get_object_element (array, i);
        g_assert_cmpstr (json_object_get_string_member (inv, "status"), ==, "overdue");
        g_assert_cmpstr (json_object_get_string_member (inv, "due_date"), <, TODAY);
      }
  }

  {
    g_autoptr(JsonNode) root = NULL;
    JsonArray *array;

    ctl (&run, "--db", f->db, "invoices", "--search", "garcia", "--json", NULL);
    g_assert_cmpint (run.status, ==, 0);
    root = parse (run.out);
    array = json_node_get_array (root);
    g_assert_cmpuint (json_array_get_length (array), >, 0);
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *patient = json_object_get_object_member (json_array_get_object_element (array, i), "patient");
        g_assert_cmpstr (json_object_get_string_member (patient, "name"), ==, "Maria Garcia");
      }
  }

  {
    g_autoptr(JsonNode) root = NULL;

    ctl (&run, "--db", f->db, "invoices", "--search", "100%_' OR 1=1 --", "--json", NULL);
    g_assert_cmpint (run.status, ==, 0);
    root = parse (run.out);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 0);
  }

  /* The table: a header and one line per invoice */
  ctl (&run, "--db", f->db, "invoices", NULL);
  g_assert_cmpint (run.status, ==, 0);
  {
    g_auto(GStrv) lines = g_strsplit (g_strchomp (run.out), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 16);
    g_assert_nonnull (strstr (lines[0], "Number"));
    g_assert_nonnull (strstr (lines[0], "Balance"));
    g_assert_nonnull (strstr (run.out, "$"));
  }
}

static void
test_invoice_detail (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(CtlRun) run = { 0 };
  g_autoptr(JsonNode) list = NULL;
  JsonArray *array;

  ctl (&run, "--db", f->db, "invoices", "--status", "partially_paid", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  list = parse (run.out);
  array = json_node_get_array (list);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);

  {
    JsonObject *summary = json_array_get_object_element (array, 0);
    const char *number = json_object_get_string_member (summary, "number");
    g_autoptr(JsonNode) root = NULL;
    JsonObject *inv;
    JsonArray *payments;

    ctl (&run, "--db", f->db, "invoice", number, "--json", NULL);
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    root = parse (run.out);
    inv = json_node_get_object (root);
    check_invoice (inv);
    g_assert_cmpstr (json_object_get_string_member (inv, "number"), ==, number);
    g_assert_cmpstr (json_object_get_string_member (inv, "status"), ==, "partially_paid");
    payments = json_object_get_array_member (inv, "payments");
    g_assert_cmpuint (json_array_get_length (payments), ==, 1);
    g_assert_true (g_str_has_prefix (json_object_get_string_member (json_array_get_object_element (payments, 0),
                                                                    "stripe_payment_intent_id"), "pi_demo_"));
    g_assert_cmpint (json_object_get_int_member (inv, "balance_due"), >, 0);
    g_assert_cmpint (json_object_get_int_member (inv, "balance_due"), <, json_object_get_int_member (inv, "total"));
    /* The detail and the list agree */
    g_assert_cmpint (json_object_get_int_member (inv, "total"), ==, json_object_get_int_member (summary, "total"));

    ctl (&run, "--db", f->db, "invoice", number, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, number));
    g_assert_nonnull (strstr (run.out, "Balance due"));
    g_assert_nonnull (strstr (run.out, "pi_demo_"));
  }
}

/* Every bad input: the given exit status, one line on stderr, no output on
 * stdout, and the database file byte-identical. */
static void
assert_fails (Fixture    *f,
              int         expected_status,
              const char *file,
              ...)
{
  g_autofree char *before = file_checksum (file);
  g_autofree char *after = NULL;
  g_auto(CtlRun) run = { 0 };
  const char *first;
  va_list args;

  va_start (args, file);
  first = va_arg (args, const char *);
  ctl_run_valist (&run, today_env, NULL, FALSE, first, args);
  va_end (args);
  g_test_message ("carepayctl %s ... -> %s", first, run.err);
  ctl_assert_one_line_error (&run, expected_status);
  g_assert_cmpstr (run.out, ==, "");

  after = file_checksum (file);
  g_assert_cmpstr (before, ==, after);
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->dir, "missing.db", NULL);
  g_autofree char *text = g_build_filename (f->dir, "notes.txt", NULL);
  g_autofree char *foreign = g_build_filename (f->dir, "foreign.db", NULL);

  g_assert_true (g_file_set_contents (text, "not a database\n", -1, NULL));
  {
    /* An SQLite file of another program */
    char header[4096] = "SQLite format 3";
    memset (header + 16, 0, sizeof header - 16);
    g_assert_true (g_file_set_contents (foreign, header, sizeof header, NULL));
  }

  /* Usage errors: 2 */
  assert_fails (f, 2, f->db, "--db", f->db, "invoices", "--status", "bogus", NULL);
  assert_fails (f, 2, f->db, "--db", f->db, "frobnicate", NULL);
  assert_fails (f, 2, f->db, "--db", f->db, "invoices", "--bogus", NULL);
  assert_fails (f, 2, f->db, "--db", f->db, "invoice", NULL);
  assert_fails (f, 2, f->db, "--db", f->db, "invoice", "A", "B", NULL);
  assert_fails (f, 2, f->db, "--db", f->db, "seed-demo", "--invoices", "-5", NULL);
  assert_fails (f, 2, f->db, "--db", f->db, "seed-demo", "--invoices", "many", NULL);
  assert_fails (f, 2, f->db, "--bogus-global", "invoices", NULL);
  assert_fails (f, 2, f->db, "--db", NULL);

  /* Failures: 1 */
  assert_fails (f, 1, f->db, "--db", f->db, "invoice", "INV-1999-000001", NULL);
  assert_fails (f, 1, f->db, "--db", f->db, "invoice", "INV-1999-000001", "--json", NULL);
  assert_fails (f, 1, f->db, "--db", f->db, "seed-demo", NULL);
  assert_fails (f, 1, f->db, "--db", f->db, "seed-demo", "--invoices", "20", NULL);
  assert_fails (f, 1, text, "--db", text, "invoices", NULL);
  assert_fails (f, 1, text, "--db", text, "invoice", "INV-2026-000001", NULL);
  assert_fails (f, 1, text, "--db", text, "seed-demo", NULL);
  assert_fails (f, 1, foreign, "--db", foreign, "invoices", NULL);
  assert_fails (f, 1, foreign, "--db", foreign, "seed-demo", NULL);
  {
    /* A healthy SQLite database that belongs to another program */
    g_autofree char *other = g_build_filename (f->dir, "places.sqlite", NULL);
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE moz_places (url TEXT); INSERT INTO moz_places VALUES ('a')",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
    assert_fails (f, 1, other, "--db", other, "invoices", NULL);
    assert_fails (f, 1, other, "--db", other, "seed-demo", NULL);
  }
  assert_fails (f, 1, missing, "--db", missing, "invoices", NULL);
  assert_fails (f, 1, missing, "--db", missing, "invoice", "INV-2026-000001", "--json", NULL);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

static void
test_usage_and_globals (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(CtlRun) run = { 0 };

  ctl (&run, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "seed-demo"));
  g_assert_nonnull (strstr (run.out, "invoices"));

  ctl (&run, NULL);
  g_assert_cmpint (run.status, ==, 2);

  /* Stripe options are accepted before the command and kept for later commands */
  ctl (&run, "--api-base", "http://127.0.0.1:1", "--secret-key=sk_test_x", "--db", f->db, "invoices", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, "sk_test_x"));
  g_assert_cmpstr (run.err, ==, "");
}

static void
test_seed_scale (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("carepay-ctl-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "scale.db", NULL);
  g_auto(CtlRun) run = { 0 };
  g_autoptr(JsonNode) root = NULL;

  ctl (&run, "--db", db, "seed-demo", "--invoices", "300", "--seed", "9", NULL);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "300 invoices"));
  g_assert_nonnull (strstr (run.out, "90 patients"));

  ctl (&run, "--db", db, "invoices", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  root = parse (run.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 300);
  for (guint i = 0; i < 300; i += 37)
    check_invoice (json_array_get_object_element (json_node_get_array (root), i));

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);
        g_unlink (p);
      }
    g_rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/carepay/ctl/invoices-json", Fixture, NULL, fixture_setup, test_invoices_json, fixture_teardown);
  g_test_add ("/carepay/ctl/invoices-filters", Fixture, NULL, fixture_setup, test_invoices_filters, fixture_teardown);
  g_test_add ("/carepay/ctl/invoice-detail", Fixture, NULL, fixture_setup, test_invoice_detail, fixture_teardown);
  g_test_add ("/carepay/ctl/bad-input", Fixture, NULL, fixture_setup, test_bad_input, fixture_teardown);
  g_test_add ("/carepay/ctl/usage-globals", Fixture, NULL, fixture_setup, test_usage_and_globals, fixture_teardown);
  g_test_add_func ("/carepay/ctl/seed-scale", test_seed_scale);

  return g_test_run ();
}
