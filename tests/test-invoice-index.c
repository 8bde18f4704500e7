/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CpInvoiceIndex: the invoice list's in-memory index agrees with the store
 * (rows, counts, searches), folds accents and name order, and sorts. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cp-invoice-index.h"
#include "cp-seed.h"
#include "cp-sqlite-private.h"
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

/* Letters Unicode does not decompose are found by their Latin spelling,
 * either case, and typed as they are. */
static void
test_latin_letters (void)
{
  static const struct {
    const char *text;
    const char *folded;
  } folds[] = {
    { "Løvstad ØSTBY", "lovstad ostby" },
    { "Łódź ŁUKASZ", "lodz lukasz" },
    { "Bær ÆGIR", "baer aegir" },
    { "Großmann GROẞ", "grossmann gross" },
    { "Œuvre cœur", "oeuvre coeur" },
    { "Đorđević", "dordevic" },
    { "Þór Guðmundsdóttir", "thor gudmundsdottir" },
    { "Yıldız İnce", "yildiz ince" },
    { "Ħal Ŧ", "hal t" },
    { "plain ASCII", "plain ascii" },
  };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_summary_free);
  g_autoptr(CpInvoiceIndex) index = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (folds); i++)
    {
      g_autofree char *folded = cp_invoice_index_fold (folds[i].text);

      g_assert_cmpstr (folded, ==, folds[i].folded);
    }

  g_ptr_array_add (rows, summary (1, "INV-2026-000001", 1, "Løvstad, Øystein", "MRN-1", CP_INVOICE_STATUS_PENDING));
  g_ptr_array_add (rows, summary (2, "INV-2026-000002", 2, "Łukasiewicz, Jan", "MRN-2", CP_INVOICE_STATUS_PAID));
  g_ptr_array_add (rows, summary (3, "FAKTURA-Æ-3", 3, "Lovstad, Oystein", "MRN-3", CP_INVOICE_STATUS_PENDING));
  g_ptr_array_add (rows, summary (4, "INV-2026-000004", 4, "Yıldız, Ayşe", "MRN-4", CP_INVOICE_STATUS_PENDING));
  index = cp_invoice_index_new_from_summaries (rows);

  g_assert_cmpuint (index_count (index, -1, "lovstad"), ==, 2);
  g_assert_cmpuint (index_count (index, -1, "LØVSTAD"), ==, 2);
  g_assert_cmpuint (index_count (index, -1, "oystein lovstad"), ==, 2);
  g_assert_cmpuint (index_count (index, -1, "lukasiewicz"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "łukasiewicz, jan"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "faktura-ae"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "faktura-æ"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "yildiz"), ==, 1);
  g_assert_cmpuint (index_count (index, -1, "YILDIZ, AYSE"), ==, 1);
  g_assert_cmpuint (index_count (index, CP_INVOICE_STATUS_PAID, "lukas"), ==, 1);
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

/* Totals: the cards' figures as cp_store_get_totals() computed them before
 * it streamed (over every row of cp_store_list_invoices(), and the month's
 * payments net of refunds in two queries), to hold the streamed version and
 * the list's (index + cp_store_get_paid_this_month()) to. */
static void
reference_totals (Fixture         *f,
                  CpInvoiceTotals *out)
{
  g_autoptr(GPtrArray) rows = store_list (f, -1, NULL);
  g_autofree char *currency = cp_store_get_meta (CP_STORE (f->store), "currency");
  sqlite3 *db = cp_sqlite_store_get_connection (f->store);
  const char *month_sql[] = {
    "SELECT COALESCE(SUM(amount), 0), COUNT(*) FROM payments "
    "WHERE status = 'succeeded' AND currency = ?1 AND created_at >= ?2 AND created_at < ?3",
    "SELECT COALESCE(SUM(amount), 0) FROM refunds "
    "WHERE status IN ('succeeded', 'pending') AND currency = ?1 AND created_at >= ?2 AND created_at < ?3",
  };

  memset (out, 0, sizeof *out);
  out->currency = currency != NULL ? g_steal_pointer (&currency) : g_strdup ("USD");
  for (guint i = 0; i < rows->len; i++)
    {
      CpInvoiceSummary *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (row->currency, out->currency) != 0)
        continue;
      if (row->status == CP_INVOICE_STATUS_OVERDUE)
        {
          out->overdue += row->balance_due;
          out->overdue_count++;
        }
      if (row->status == CP_INVOICE_STATUS_OVERDUE || row->status == CP_INVOICE_STATUS_PENDING ||
          row->status == CP_INVOICE_STATUS_PARTIALLY_PAID)
        {
          out->outstanding += row->balance_due;
          out->outstanding_count++;
        }
    }
  for (guint q = 0; q < G_N_ELEMENTS (month_sql); q++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, month_sql[q], -1, &stmt, NULL), ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, out->currency, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, "2026-03-01", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, "2026-04-01", -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      if (q == 0)
        {
          out->paid_this_month = sqlite3_column_int64 (stmt, 0);
          out->paid_this_month_count = sqlite3_column_int64 (stmt, 1);
        }
      else
        out->paid_this_month -= sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
    }
}

static void
assert_totals_equal (const CpInvoiceTotals *a,
                     const CpInvoiceTotals *b)
{
  g_assert_cmpstr (a->currency, ==, b->currency);
  g_assert_cmpint (a->outstanding, ==, b->outstanding);
  g_assert_cmpint (a->outstanding_count, ==, b->outstanding_count);
  g_assert_cmpint (a->overdue, ==, b->overdue);
  g_assert_cmpint (a->overdue_count, ==, b->overdue_count);
  g_assert_cmpint (a->paid_this_month, ==, b->paid_this_month);
  g_assert_cmpint (a->paid_this_month_count, ==, b->paid_this_month_count);
}

/* The streamed totals and the list's (a fresh index, as the list rebuilds
 * it after every change, plus the month's payments) against the reference. */
static void
check_totals (Fixture *f)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoiceIndex) index = cp_invoice_index_new_from_store (store, &error);
  CpInvoiceTotals expected = { 0 }, streamed = { 0 }, listed = { 0 };

  g_assert_no_error (error);
  reference_totals (f, &expected);
  g_assert_true (cp_store_get_totals (store, &streamed, &error));
  g_assert_no_error (error);
  assert_totals_equal (&streamed, &expected);

  g_assert_true (cp_store_get_paid_this_month (store, &listed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (listed.outstanding_count, ==, 0);
  g_assert_true (cp_invoice_index_add_open_totals (index, &listed, &error));
  g_assert_no_error (error);
  assert_totals_equal (&listed, &expected);

  cp_invoice_totals_clear (&expected);
  cp_invoice_totals_clear (&streamed);
  cp_invoice_totals_clear (&listed);
}

static gint64
add_invoice (CpStore    *store,
             CpPatient  *patient,
             const char *number,
             const char *currency,
             const char *due,
             int         tax_rate_bp,
             gint64      amount)
{
  g_autoptr(CpInvoice) invoice = cp_invoice_new ();
  g_autoptr(GError) error = NULL;
  CpLineItem *item = cp_line_item_new ();

  invoice->patient = cp_patient_copy (patient);
  invoice->number = g_strdup (number);
  invoice->issue_date = g_strdup ("2026-01-15");
  invoice->due_date = g_strdup (due);
  g_free (invoice->currency);  /* cp_invoice_new() sets USD */
  invoice->currency = g_strdup (currency);
  invoice->tax_rate_bp = tax_rate_bp;
  item->description = g_strdup ("Consultation");
  item->quantity = 2;
  item->unit_amount = amount / 2;
  g_ptr_array_add (invoice->line_items, item);
  cp_store_create_invoice (store, invoice, &error);
  g_assert_no_error (error);
  return invoice->id;
}

static gint64
add_payment (CpStore    *store,
             gint64      invoice_id,
             const char *currency,
             gint64      amount,
             const char *status,
             const char *created_at,
             gboolean    disputed)
{
  static guint n;
  g_autoptr(CpPayment) payment = cp_payment_new ();
  g_autoptr(GError) error = NULL;

  payment->invoice_id = invoice_id;
  payment->stripe_payment_intent_id = g_strdup_printf ("pi_totals_%u", ++n);
  payment->amount = amount;
  payment->currency = g_strdup (currency);
  payment->status = g_strdup (status);
  payment->channel = CP_PAYMENT_CHANNEL_DESK;
  payment->created_at = g_strdup (created_at);
  payment->disputed = disputed;
  cp_store_record_payment (store, payment, &error);
  g_assert_no_error (error);
  return payment->id;
}

static void
add_refund (CpStore    *store,
            gint64      payment_id,
            const char *currency,
            gint64      amount,
            const char *status,
            const char *created_at)
{
  static guint n;
  g_autoptr(CpRefund) refund = cp_refund_new ();
  g_autoptr(GError) error = NULL;

  refund->payment_id = payment_id;
  refund->stripe_refund_id = g_strdup_printf ("re_totals_%u", ++n);
  refund->amount = amount;
  refund->currency = g_strdup (currency);
  refund->status = g_strdup (status);
  refund->created_at = g_strdup (created_at);
  cp_store_record_refund (store, refund, &error);
  g_assert_no_error (error);
}

/* On the seeded file plus paid, partly paid, overdue, voided, refunded,
 * disputed and foreign-currency invoices, payments of this month and the
 * last, failed ones and refunds: the same figures, also in another hospital
 * currency and after changes. */
static void
test_totals (Fixture       *f,
             gconstpointer  data)
{
  CpStore *store = CP_STORE (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = cp_store_list_patients (store, NULL, 0, &error);
  CpPatient *patient;
  gint64 partly, paid, voided, refunded, disputed, eur_open, eur_overdue, pay;
  guint counts[2][CP_N_INVOICE_STATUSES] = { { 0 } };
  g_autoptr(GPtrArray) rows = NULL;
  CpInvoiceTotals totals = { 0 };

  g_assert_no_error (error);
  g_assert_cmpuint (patients->len, >, 0);
  patient = g_ptr_array_index (patients, 0);

  partly = add_invoice (store, patient, "TOT-1", "USD", "2026-03-01", 825, 20000);
  add_payment (store, partly, "USD", 5000, "succeeded", "2026-03-02T09:00:00Z", FALSE);
  add_payment (store, partly, "USD", 7000, "requires_payment_method", "2026-03-03T09:00:00Z", FALSE);
  paid = add_invoice (store, patient, "TOT-2", "USD", "2026-04-30", 0, 10000);
  pay = add_payment (store, paid, "USD", 10000, "succeeded", "2026-02-20T09:00:00Z", FALSE);
  add_refund (store, pay, "USD", 2500, "pending", "2026-03-10T09:00:00Z");
  voided = add_invoice (store, patient, "TOT-3", "USD", "2026-02-15", 0, 30000);
  add_payment (store, voided, "USD", 1000, "succeeded", "2026-03-04T09:00:00Z", FALSE);
  g_assert_true (cp_store_set_invoice_voided (store, voided, TRUE, &error));
  g_assert_no_error (error);
  refunded = add_invoice (store, patient, "TOT-4", "USD", "2026-02-15", 0, 8000);
  pay = add_payment (store, refunded, "USD", 8000, "succeeded", "2026-03-05T09:00:00Z", FALSE);
  add_refund (store, pay, "USD", 8000, "succeeded", "2026-03-06T09:00:00Z");
  disputed = add_invoice (store, patient, "TOT-5", "USD", "2026-02-28", 0, 6000);
  add_payment (store, disputed, "USD", 2000, "succeeded", "2026-03-07T09:00:00Z", TRUE);
  eur_open = add_invoice (store, patient, "TOT-6", "EUR", "2026-04-15", 1000, 40000);
  add_payment (store, eur_open, "EUR", 4000, "succeeded", "2026-03-08T09:00:00Z", FALSE);
  eur_overdue = add_invoice (store, patient, "TOT-7", "EUR", "2026-01-31", 0, 12000);
  pay = add_payment (store, eur_overdue, "EUR", 3000, "succeeded", "2026-03-09T09:00:00Z", FALSE);
  add_refund (store, pay, "EUR", 1000, "succeeded", "2026-03-11T09:00:00Z");

  /* Every status in both currencies, or the comparison proves little. */
  rows = store_list (f, -1, NULL);
  for (guint i = 0; i < rows->len; i++)
    {
      CpInvoiceSummary *row = g_ptr_array_index (rows, i);

      counts[g_strcmp0 (row->currency, "USD") == 0][row->status]++;
    }
  for (guint s = 0; s < CP_N_INVOICE_STATUSES; s++)
    g_assert_cmpuint (counts[1][s], >, 0);
  g_assert_cmpuint (counts[0][CP_INVOICE_STATUS_OVERDUE], >, 0);
  g_assert_cmpuint (counts[0][CP_INVOICE_STATUS_PARTIALLY_PAID], >, 0);

  check_totals (f);
  g_assert_true (cp_store_get_totals (store, &totals, &error));
  g_assert_cmpint (totals.paid_this_month_count, >, 0);
  g_assert_cmpint (totals.overdue_count, >, 0);
  cp_invoice_totals_clear (&totals);

  /* A payment, a void and a refund later (the list rebuilds its index). */
  add_payment (store, disputed, "USD", 4000, "succeeded", "2026-03-14T09:00:00Z", FALSE);
  g_assert_true (cp_store_set_invoice_voided (store, partly, TRUE, &error));
  g_assert_true (cp_store_set_invoice_voided (store, voided, FALSE, &error));
  g_assert_no_error (error);
  check_totals (f);

  /* The hospital's currency decides which invoices count. */
  g_assert_true (cp_store_set_meta (store, "currency", "EUR", &error));
  g_assert_no_error (error);
  check_totals (f);
  g_assert_true (cp_store_get_totals (store, &totals, &error));
  g_assert_cmpstr (totals.currency, ==, "EUR");
  g_assert_cmpint (totals.outstanding_count, >=, 2);
  cp_invoice_totals_clear (&totals);
}

/* A per-invoice aggregate is read in invoice order along the index, not
 * sorted in a temporary b-tree (which would hold every group). */
static void
test_totals_plan (Fixture       *f,
                  gconstpointer  data)
{
  sqlite3 *db = cp_sqlite_store_get_connection (f->store);
  const char *sql[] = {
    "SELECT invoice_id, SUM(quantity * unit_amount) FROM line_items "
    "GROUP BY invoice_id ORDER BY invoice_id",
    "SELECT invoice_id, SUM(amount) FROM payments WHERE status = 'succeeded' "
    "GROUP BY invoice_id ORDER BY invoice_id",
    "SELECT invoice_id, SUM(amount) FROM refunds WHERE status IN ('succeeded', 'pending') "
    "GROUP BY invoice_id ORDER BY invoice_id",
  };

  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql[i], NULL);
      g_autoptr(GString) plan = g_string_new (NULL);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_string_append_printf (plan, "%s\n", sqlite3_column_text (stmt, 3));
      sqlite3_finalize (stmt);
      g_test_message ("%s", plan->str);
      g_assert_null (strstr (plan->str, "TEMP B-TREE"));
    }
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
  ADD ("totals", N_INVOICES, test_totals);
  ADD ("totals-demo", 0, test_totals);
  ADD ("totals-plan", N_INVOICES, test_totals_plan);
#undef ADD
  g_test_add_func ("/carepay/invoice-index/accents", test_accents);
  g_test_add_func ("/carepay/invoice-index/latin-letters", test_latin_letters);
  g_test_add_func ("/carepay/invoice-index/empty", test_empty);
  g_test_add_func ("/carepay/invoice-index/storage", test_storage);
  g_test_add_func ("/carepay/invoice-index/numbers", test_numbers);

  return g_test_run ();
}
