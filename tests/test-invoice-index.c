/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CpInvoiceIndex: the invoice list's in-memory index agrees with the store
 * (rows, counts, searches), folds accents and name order, and sorts. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cp-invoice-index.h"
#include "cp-seed.h"
#include "cp-sqlite-store.h"

#define TODAY "2026-03-15"
#define N_INVOICES 1000

typedef struct {
  char           *dir;
  char           *path;
  CpSqliteStore  *store;
  CpInvoiceIndex *index;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_setenv ("CAREPAY_TODAY", TODAY, TRUE);
  f->dir = g_dir_make_tmp ("carepay-index-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "carepay.db", NULL);
  f->store = cp_sqlite_store_open (f->path, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (cp_seed_demo (CP_STORE (f->store), GPOINTER_TO_UINT (data), 7, TODAY, &error));
  g_assert_no_error (error);
  f->index = cp_invoice_index_new_from_store (CP_STORE (f->store), &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->index);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  cp_invoice_index_unref (f->index);
  g_assert_finalize_object (f->store);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static GPtrArray *
store_list (Fixture    *f,
            int         status,
            const char *search)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GError) error = NULL;
  GPtrArray *rows;

  query.status = status;
  query.search = search;
  rows = cp_store_list_invoices (CP_STORE (f->store), &query, &error);
  g_assert_no_error (error);
  return rows;
}

static guint
index_count (CpInvoiceIndex *index,
             int             status,
             const char     *typed)
{
  guint n = cp_invoice_index_get_n_rows (index);
  g_autofree guint32 *out = g_new (guint32, MAX (n, 1));
  g_autofree char *needle = cp_invoice_index_fold (typed);

  return cp_invoice_index_filter (index, NULL, n, FALSE, status, needle, out);
}

static void
assert_same_summary (const CpInvoiceSummary *a,
                     const CpInvoiceSummary *b)
{
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpstr (a->number, ==, b->number);
  g_assert_cmpint (a->patient_id, ==, b->patient_id);
  g_assert_cmpstr (a->patient_name, ==, b->patient_name);
  g_assert_cmpstr (a->mrn, ==, b->mrn);
  g_assert_cmpstr (a->issue_date, ==, b->issue_date);
  g_assert_cmpstr (a->due_date, ==, b->due_date);
  g_assert_cmpstr (a->currency, ==, b->currency);
  g_assert_cmpint (a->total, ==, b->total);
  g_assert_cmpint (a->amount_paid, ==, b->amount_paid);
  g_assert_cmpint (a->amount_refunded, ==, b->amount_refunded);
  g_assert_cmpint (a->balance_due, ==, b->balance_due);
  g_assert_cmpint (a->voided, ==, b->voided);
  g_assert_cmpint (a->disputed, ==, b->disputed);
  g_assert_cmpint (a->status, ==, b->status);
}

static void
test_rows (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) all = store_list (f, -1, NULL);

  g_assert_cmpuint (cp_invoice_index_get_n_rows (f->index), ==, all->len);
  g_assert_cmpuint (all->len, ==, GPOINTER_TO_UINT (data) ? GPOINTER_TO_UINT (data) : 15);
  for (guint i = 0; i < all->len; i++)
    {
      g_autoptr(CpInvoiceSummary) s = cp_invoice_index_dup_summary (f->index, i);
      const CpInvoiceSummary *expected = g_ptr_array_index (all, i);

      assert_same_summary (s, expected);
      g_assert_cmpint (cp_invoice_index_get_id (f->index, i), ==, expected->id);
      g_assert_cmpint (cp_invoice_index_get_status (f->index, i), ==, expected->status);
    }
}

static void
test_counts (Fixture       *f,
             gconstpointer  data)
{
  guint counts[CP_N_INVOICE_STATUSES];
  guint total = 0;

  cp_invoice_index_count_statuses (f->index, counts);
  for (int s = 0; s < CP_N_INVOICE_STATUSES; s++)
    {
      g_autoptr(GPtrArray) rows = store_list (f, s, NULL);

      g_assert_cmpuint (counts[s], ==, rows->len);
      g_assert_cmpuint (index_count (f->index, s, NULL), ==, rows->len);
      g_assert_cmpuint (index_count (f->index, s, ""), ==, rows->len);
      total += counts[s];
    }
  g_assert_cmpuint (total, ==, cp_invoice_index_get_n_rows (f->index));
  g_assert_cmpuint (index_count (f->index, -1, NULL), ==, total);
}

/* The same searches as the store's (LIKE, ASCII case-insensitive), with and
 * without a status filter: the same invoices, in the same order. */
static void
test_search_like_store (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CpInvoiceSummary) first = cp_invoice_index_dup_summary (f->index, 0);
  g_autoptr(CpInvoiceSummary) last = cp_invoice_index_dup_summary (f->index,
                                                                   cp_invoice_index_get_n_rows (f->index) - 1);
  const char *comma = strstr (first->patient_name, ", ");
  g_autofree char *given_family = NULL;
  g_autofree char *number = g_ascii_strdown (last->number, -1);
  g_autofree char *mrn_prefix = g_strndup (first->mrn, strlen (first->mrn) - 2);
  const char *fixed[] = { "g", "ga", "gar", "garc", "SMITH", "o'b", "liam", "inv-", "2026", "zzzz" };
  GPtrArray *needles = g_ptr_array_new ();

  g_assert_nonnull (comma);
  given_family = g_strdup_printf ("%s %.*s", comma + 2, (int) (comma - first->patient_name),
                                  first->patient_name);
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (needles, (gpointer) fixed[i]);
  g_ptr_array_add (needles, given_family);
  g_ptr_array_add (needles, first->patient_name);
  g_ptr_array_add (needles, number);
  g_ptr_array_add (needles, mrn_prefix);

  for (guint i = 0; i < needles->len; i++)
    for (int status = -1; status < CP_N_INVOICE_STATUSES; status++)
      {
        const char *typed = g_ptr_array_index (needles, i);
        g_autoptr(GPtrArray) expected = store_list (f, status, typed);
        guint n = cp_invoice_index_get_n_rows (f->index);
        g_autofree guint32 *out = g_new (guint32, n);
        g_autofree char *needle = cp_invoice_index_fold (typed);
        guint n_out = cp_invoice_index_filter (f->index, NULL, n, FALSE, status, needle, out);

        g_test_message ("“%s”, status %d: %u", typed, status, expected->len);
        g_assert_cmpuint (n_out, ==, expected->len);
        for (guint k = 0; k < n_out; k++)
          g_assert_cmpint (cp_invoice_index_get_id (f->index, out[k]), ==,
                           ((CpInvoiceSummary *) g_ptr_array_index (expected, k))->id);
      }
  /* The given name first found something. */
  g_assert_cmpuint (index_count (f->index, -1, given_family), >, 0);
  g_assert_cmpuint (index_count (f->index, -1, number), ==, 1);
  g_ptr_array_unref (needles);
}

/* A longer needle filters the previous matches again, in place: the same
 * result as a pass over every row. */
static void
test_narrowing (Fixture       *f,
                gconstpointer  data)
{
  const char *typing[] = { "", "m", "mr", "mrn", "mrn-", "mrn-0", "mrn-00", "mrn-002" };
  guint n = cp_invoice_index_get_n_rows (f->index);
  const guint32 *order = cp_invoice_index_get_order (f->index, CP_INVOICE_SORT_TOTAL);
  g_autofree guint32 *view = g_new (guint32, n);
  g_autofree guint32 *full = g_new (guint32, n);
  guint n_view;

  n_view = cp_invoice_index_filter (f->index, order, n, TRUE, CP_INVOICE_STATUS_PENDING, NULL, view);
  for (guint i = 1; i < G_N_ELEMENTS (typing); i++)
    {
      g_autofree char *needle = cp_invoice_index_fold (typing[i]);
      guint n_full = cp_invoice_index_filter (f->index, order, n, TRUE, CP_INVOICE_STATUS_PENDING,
                                              needle, full);

      n_view = cp_invoice_index_filter (f->index, view, n_view, FALSE, CP_INVOICE_STATUS_PENDING,
                                        needle, view);
      g_assert_cmpuint (n_view, ==, n_full);
      g_assert_cmpmem (view, n_view * sizeof (guint32), full, n_full * sizeof (guint32));
    }
}

static int
compare_key (const CpInvoiceSummary *a,
             const CpInvoiceSummary *b,
             CpInvoiceSortKey        key)
{
#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)
  switch (key)
    {
    case CP_INVOICE_SORT_NUMBER:
      return CMP (strcmp (a->number, b->number), 0);
    case CP_INVOICE_SORT_PATIENT:
      return CMP (g_utf8_collate (a->patient_name, b->patient_name), 0);
    case CP_INVOICE_SORT_ISSUE_DATE:
      return CMP (strcmp (a->issue_date, b->issue_date), 0);
    case CP_INVOICE_SORT_DUE_DATE:
      return CMP (strcmp (a->due_date, b->due_date), 0);
    case CP_INVOICE_SORT_TOTAL:
      return CMP (a->total, b->total);
    case CP_INVOICE_SORT_BALANCE:
      return CMP (a->balance_due, b->balance_due);
    case CP_INVOICE_SORT_STATUS:
      return CMP (a->status, b->status);
    case CP_INVOICE_SORT_NONE:
    case CP_INVOICE_N_SORTS:
    default:
      g_assert_not_reached ();
    }
#undef CMP
}

static void
test_sort (Fixture       *f,
           gconstpointer  data)
{
  guint n = cp_invoice_index_get_n_rows (f->index);
  g_autofree guint32 *descending = g_new (guint32, n);

  g_assert_null (cp_invoice_index_get_order (f->index, CP_INVOICE_SORT_NONE));
  for (CpInvoiceSortKey key = 0; key < CP_INVOICE_N_SORTS; key++)
    {
      const guint32 *order = cp_invoice_index_get_order (f->index, key);
      g_autofree gboolean *seen = g_new0 (gboolean, n);

      g_assert_nonnull (order);
      /* Computed once, then kept. */
      g_assert_true (order == cp_invoice_index_get_order (f->index, key));
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpuint (order[i], <, n);
          g_assert_false (seen[order[i]]);
          seen[order[i]] = TRUE;
        }
      for (guint i = 1; i < n; i++)
        {
          g_autoptr(CpInvoiceSummary) a = cp_invoice_index_dup_summary (f->index, order[i - 1]);
          g_autoptr(CpInvoiceSummary) b = cp_invoice_index_dup_summary (f->index, order[i]);
          int r = compare_key (a, b, key);

          g_assert_cmpint (r, <=, 0);
          if (r == 0)
            g_assert_cmpint (a->id, <, b->id);
        }
      /* Descending is the exact reverse (ties included). */
      g_assert_cmpuint (cp_invoice_index_filter (f->index, order, n, TRUE, -1, NULL, descending), ==, n);
      for (guint i = 0; i < n; i++)
        g_assert_cmpuint (descending[i], ==, order[n - 1 - i]);
    }
}

static CpInvoiceSummary *
summary (gint64           id,
         const char      *number,
         gint64           patient_id,
         const char      *name,
         const char      *mrn,
         CpInvoiceStatus  status)
{
  CpInvoiceSummary *s = cp_invoice_summary_new ();

  s->id = id;
  s->number = g_strdup (number);
  s->patient_id = patient_id;
  s->patient_name = g_strdup (name);
  s->mrn = g_strdup (mrn);
  s->issue_date = g_strdup ("2026-03-01");
  s->due_date = g_strdup ("2026-03-31");
  s->currency = g_strdup ("USD");
  s->total = 1000 * id;
  s->balance_due = 1000 * id;
  s->status = status;
  return s;
}

static void
test_accents (void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_summary_free);
  g_autoptr(CpInvoiceIndex) index = NULL;
  g_autofree char *folded = NULL;

  g_ptr_array_add (rows, summary (1, "INV-2026-000001", 1, "García, María", "MRN-1001", CP_INVOICE_STATUS_PENDING));
  g_ptr_array_add (rows, summary (2, "INV-2026-000002", 2, "Garcia, Mario", "MRN-1002", CP_INVOICE_STATUS_PAID));
  g_ptr_array_add (rows, summary (3, "INV-2026-000003", 3, "Ñúñez, José", "MRN-1003", CP_INVOICE_STATUS_OVERDUE));
  g_ptr_array_add (rows, summary (4, "INV-2026-000004", 4, "Müller, Jürgen", NULL, CP_INVOICE_STATUS_PENDING));
  g_ptr_array_add (rows, summary (5, "INV-2026-000005", 1, "García, María", "MRN-1001", CP_INVOICE_STATUS_PAID));
  index = cp_invoice_index_new_from_summaries (rows);

  g_assert_cmpuint (cp_invoice_index_get_n_rows (index), ==, 5);
  g_assert_cmpuint (index_count (index, -1, ""), ==, 5);
  g_assert_cmpuint (index_count (index, -1, NULL), ==, 5);
  g_assert_cmpuint (index_count (index, -1, "garcia"), ==, 3);
  g_assert_cmpuint (index_count (index, -1, "GARCÍA"), ==, 3);
  g_assert_cmpuint (index_count (index, -1, "maria garcia"), ==, 2);
  g_assert_cmpuint (index_count (index, -1, "María García"), ==, 2);
  g_assert_cmpuint (index_count (index, -1, "garcia, mari"), ==, 3);
  g_assert_cmpuint (index_count (index, -1, "ÑÚÑEZ"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "jose nunez"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "muller"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "jurgen muller"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "mrn-100"), ==, 4);
  g_assert_cmpuint (index_count (index, -1, "inv-2026-000004"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "nunez jose"), ==, 0);
  g_assert_cmpuint (index_count (index, CP_INVOICE_STATUS_PAID, "garcia"), ==, 2);
  g_assert_cmpuint (index_count (index, CP_INVOICE_STATUS_OVERDUE, "garcia"), ==, 0);

  /* A patient without an MRN keeps none. */
  {
    g_autoptr(CpInvoiceSummary) s = cp_invoice_index_dup_summary (index, 3);

    g_assert_null (s->mrn);
    g_assert_cmpstr (s->patient_name, ==, "Müller, Jürgen");
  }

  folded = cp_invoice_index_fold ("Ångström ＡＢＣ");
  g_assert_cmpstr (folded, ==, "angstrom abc");
  g_clear_pointer (&folded, g_free);
  folded = cp_invoice_index_fold (NULL);
  g_assert_cmpstr (folded, ==, "");
}

/* The packed storage gives back what it was given: a number folding leaves
 * as it is, one that folds to a different length, one too long for a 16-bit
 * skip, no dates nor currency, voided and disputed, and terms shared or not. */
static void
test_storage (void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_summary_free);
  g_autoptr(CpInvoiceIndex) index = NULL;
  g_autoptr(CpInvoiceIndex) again = NULL;
  g_autoptr(GString) long_number = g_string_new ("LONG-");
  g_autofree char *long_needle = NULL;
  CpInvoiceSummary *s;
  const guint32 *order;

  while (long_number->len < 70000)
    g_string_append (long_number, "ÅB");
  g_string_append (long_number, "-END");

  g_ptr_array_add (rows, summary (1, "inv-1", 1, "García, María", "MRN-1", CP_INVOICE_STATUS_PENDING));
  g_ptr_array_add (rows, s = summary (2, "ÅNGSTRÖM-2", 2, "Ngata, Ana", NULL, CP_INVOICE_STATUS_CANCELLED));
  s->voided = TRUE;
  s->amount_paid = 7;
  s->amount_refunded = 3;
  g_ptr_array_add (rows, s = summary (3, long_number->str, 1, "García, María", "MRN-1", CP_INVOICE_STATUS_PAID));
  s->disputed = TRUE;
  g_ptr_array_add (rows, s = summary (4, NULL, 3, NULL, NULL, CP_INVOICE_STATUS_OVERDUE));
  g_clear_pointer (&s->issue_date, g_free);
  g_clear_pointer (&s->due_date, g_free);
  g_clear_pointer (&s->currency, g_free);
  g_ptr_array_add (rows, s = summary (5, "INV-5", 2, "Ngata, Ana", NULL, CP_INVOICE_STATUS_PENDING));
  g_free (s->issue_date);
  s->issue_date = g_strdup ("2026-02-01");
  g_free (s->currency);
  s->currency = g_strdup ("EUR");
  index = cp_invoice_index_new_from_summaries (rows);
  again = cp_invoice_index_new_from_summaries (rows);

  g_assert_cmpuint (cp_invoice_index_get_n_rows (index), ==, rows->len);
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(CpInvoiceSummary) got = cp_invoice_index_dup_summary (index, i);
      CpInvoiceSummary *want = g_ptr_array_index (rows, i);

      if (want->number == NULL)
        g_assert_cmpstr (got->number, ==, "");
      else
        g_assert_cmpstr (got->number, ==, want->number);
      g_assert_cmpstr (got->issue_date, ==, want->issue_date);
      g_assert_cmpstr (got->due_date, ==, want->due_date);
      g_assert_cmpstr (got->currency, ==, want->currency);
      g_assert_cmpint (got->voided, ==, want->voided);
      g_assert_cmpint (got->disputed, ==, want->disputed);
      g_assert_cmpint (got->amount_paid, ==, want->amount_paid);
      g_assert_cmpint (got->amount_refunded, ==, want->amount_refunded);
      g_assert_cmpint (got->status, ==, want->status);
      g_assert_true (cp_invoice_index_rows_equal (index, i, again, i));
      for (guint j = 0; j < rows->len; j++)
        g_assert_true (cp_invoice_index_rows_equal (index, i, again, j) == (i == j));
    }

  /* Numbers are found by their folded text, wherever it is kept. */
  g_assert_cmpuint (index_count (index, -1, "inv-"), ==, 2);
  g_assert_cmpuint (index_count (index, -1, "angstrom-2"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "abab-end"), ==, 1);
  long_needle = cp_invoice_index_fold (long_number->str);
  g_assert_cmpuint (index_count (index, -1, long_needle), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "long-ab"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "mrn-1"), ==, 2);

  /* Dates sort as text, a missing one first; ties by id. */
  order = cp_invoice_index_get_order (index, CP_INVOICE_SORT_ISSUE_DATE);
  g_assert_cmpint (cp_invoice_index_get_id (index, order[0]), ==, 4);
  g_assert_cmpint (cp_invoice_index_get_id (index, order[1]), ==, 5);
  g_assert_cmpint (cp_invoice_index_get_id (index, order[2]), ==, 1);
  g_assert_cmpint (cp_invoice_index_get_id (index, order[4]), ==, 3);
  order = cp_invoice_index_get_order (index, CP_INVOICE_SORT_DUE_DATE);
  g_assert_cmpint (cp_invoice_index_get_id (index, order[0]), ==, 4);
  g_assert_cmpint (cp_invoice_index_get_id (index, order[1]), ==, 1);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Numbers in capitals keep only their folded text; they still come back,
 * sort and compare as the numbers themselves ('_' sorts after 'Z' but before
 * 'z'). */
static void
test_numbers (void)
{
  static const char *numbers[] = { "AB_1", "ABa", "ABZ", "inv-1", "INV-1", "Ínv-1", "7", "ab_1" };
  const char *sorted[G_N_ELEMENTS (numbers)];
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_summary_free);
  g_autoptr(GPtrArray) reversed = g_ptr_array_new ();
  g_autoptr(CpInvoiceIndex) index = NULL;
  g_autoptr(CpInvoiceIndex) backwards = NULL;
  const guint32 *order;
  guint n = G_N_ELEMENTS (numbers);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (rows, summary (i + 1, numbers[i], 1, "Doe, Jo", NULL, CP_INVOICE_STATUS_PENDING));
  for (guint i = n; i > 0; i--)
    g_ptr_array_add (reversed, g_ptr_array_index (rows, i - 1));
  index = cp_invoice_index_new_from_summaries (rows);
  backwards = cp_invoice_index_new_from_summaries (reversed);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpInvoiceSummary) got = cp_invoice_index_dup_summary (index, i);

      g_assert_cmpstr (got->number, ==, numbers[i]);
      g_assert_true (cp_invoice_index_rows_equal (index, i, backwards, n - 1 - i));
      if (i > 0)
        g_assert_false (cp_invoice_index_rows_equal (index, i, backwards, n - i));
    }

  memcpy (sorted, numbers, sizeof numbers);
  qsort (sorted, n, sizeof sorted[0], compare_strings);
  order = cp_invoice_index_get_order (index, CP_INVOICE_SORT_NUMBER);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpInvoiceSummary) got = cp_invoice_index_dup_summary (index, order[i]);

      g_assert_cmpstr (got->number, ==, sorted[i]);
    }

  g_assert_cmpuint (index_count (index, -1, "ab"), ==, 4);
  g_assert_cmpuint (index_count (index, -1, "ab_"), ==, 2);
  g_assert_cmpuint (index_count (index, -1, "inv-1"), ==, 3);
  g_assert_cmpuint (index_count (index, -1, "7"), ==, 1);
}

static void
test_empty (void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(CpInvoiceIndex) index = cp_invoice_index_new_from_summaries (rows);
  guint counts[CP_N_INVOICE_STATUSES];

  g_assert_cmpuint (cp_invoice_index_get_n_rows (index), ==, 0);
  g_assert_nonnull (cp_invoice_index_get_order (index, CP_INVOICE_SORT_PATIENT));
  g_assert_cmpuint (index_count (index, -1, "a"), ==, 0);
  cp_invoice_index_count_statuses (index, counts);
  for (int s = 0; s < CP_N_INVOICE_STATUSES; s++)
    g_assert_cmpuint (counts[s], ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, n, func) \
  g_test_add ("/carepay/invoice-index/" path, Fixture, GUINT_TO_POINTER (n), \
              fixture_setup, func, fixture_teardown)
  ADD ("rows", N_INVOICES, test_rows);
  ADD ("rows-demo", 0, test_rows);
  ADD ("counts", N_INVOICES, test_counts);
  ADD ("search-like-store", N_INVOICES, test_search_like_store);
  ADD ("narrowing", N_INVOICES, test_narrowing);
  ADD ("sort", N_INVOICES, test_sort);
#undef ADD
  g_test_add_func ("/carepay/invoice-index/accents", test_accents);
  g_test_add_func ("/carepay/invoice-index/empty", test_empty);
  g_test_add_func ("/carepay/invoice-index/storage", test_storage);
  g_test_add_func ("/carepay/invoice-index/numbers", test_numbers);

  return g_test_run ();
}
