/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CpInvoiceModel: the invoice list's GListModel over a CpInvoiceIndex. Items
 * stand for positions and are refilled in place; each change is one
 * ::items-changed at the end of the list; only the items held stay alive.
 * CpPacedModel: the same rows, let in a step at a time when they grow. */
#include "config.h"

#include "cp-invoice-model.h"
#include "cp-invoice-row.h"
#include "cp-paced-model.h"

#define N_ROWS 1000

typedef struct {
  guint n_signals;
  guint position, removed, added;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->n_signals++;
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
}

static void
count_cb (CpInvoiceRow *row,
          guint        *n)
{
  (*n)++;
}

/* Invoice i: patient "Family<i % 10>, Given", total i * 100, every third paid. */
static CpInvoiceIndex *
make_index (guint n)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_invoice_summary_free);

  for (guint i = 0; i < n; i++)
    {
      CpInvoiceSummary *s = cp_invoice_summary_new ();

      s->id = i + 1;
      s->number = g_strdup_printf ("INV-2026-%06u", i + 1);
      s->patient_id = i % 10 + 1;
      s->patient_name = g_strdup_printf ("Family%u, Given", i % 10);
      s->mrn = g_strdup_printf ("MRN-%04u", i % 10);
      s->issue_date = g_strdup ("2026-03-01");
      s->due_date = g_strdup ("2026-03-31");
      s->currency = g_strdup ("USD");
      s->total = (gint64) i * 100;
      s->status = i % 3 == 0 ? CP_INVOICE_STATUS_PAID : CP_INVOICE_STATUS_PENDING;
      g_ptr_array_add (rows, s);
    }
  return cp_invoice_index_new_from_summaries (rows);
}

static gint64
id_at (GListModel *model,
       guint       position)
{
  g_autoptr(CpInvoiceRow) row = g_list_model_get_item (model, position);

  return cp_invoice_row_get_id (row);
}

static void
test_view (void)
{
  g_autoptr(CpInvoiceIndex) index = make_index (N_ROWS);
  g_autoptr(CpInvoiceModel) model = cp_invoice_model_new ();
  GListModel *list = G_LIST_MODEL (model);
  Changes changes = { 0 };
  g_autoptr(CpInvoiceRow) first = NULL;
  g_autofree char *needle = NULL;
  guint n_refills = 0;

  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  g_assert_true (g_list_model_get_item_type (list) == CP_TYPE_INVOICE_ROW);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);

  cp_invoice_model_set_index (model, index);
  g_assert_cmpuint (changes.n_signals, ==, 1);
  g_assert_cmpuint (changes.position, ==, 0);
  g_assert_cmpuint (changes.added, ==, N_ROWS);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, N_ROWS);
  g_assert_null (g_list_model_get_item (list, N_ROWS));

  /* The item of a position, held, is refilled when the view changes. */
  first = g_list_model_get_item (list, 0);
  g_signal_connect (first, "changed", G_CALLBACK (count_cb), &n_refills);
  g_assert_cmpint (cp_invoice_row_get_id (first), ==, 1);

  cp_invoice_model_set_view (model, CP_INVOICE_STATUS_PENDING, NULL, CP_INVOICE_SORT_NONE, FALSE);
  g_assert_cmpuint (changes.n_signals, ==, 2);
  g_assert_cmpuint (changes.position, ==, N_ROWS * 2 / 3);
  g_assert_cmpuint (changes.removed, ==, N_ROWS - N_ROWS * 2 / 3);
  g_assert_cmpuint (changes.added, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, N_ROWS * 2 / 3);
  g_assert_cmpuint (n_refills, ==, 1);
  g_assert_cmpint (cp_invoice_row_get_id (first), ==, 2);
  g_assert_true (cp_invoice_row_get_status (first) == CP_INVOICE_STATUS_PENDING);
  {
    g_autoptr(CpInvoiceRow) again = g_list_model_get_item (list, 0);

    g_assert_true (again == first);
  }

  /* Search, then sort by total, descending. */
  needle = cp_invoice_index_fold ("FAMILY3");
  cp_invoice_model_set_view (model, -1, needle, CP_INVOICE_SORT_NONE, FALSE);
  g_assert_cmpuint (changes.n_signals, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, N_ROWS / 10);
  g_assert_cmpint (cp_invoice_row_get_id (first), ==, 4);
  cp_invoice_model_set_view (model, -1, needle, CP_INVOICE_SORT_TOTAL, TRUE);
  g_assert_cmpuint (changes.n_signals, ==, 3);  /* as many rows: nothing to add or remove */
  g_assert_cmpint (cp_invoice_row_get_id (first), ==, N_ROWS - 6);
  g_assert_cmpint (id_at (list, 1), ==, N_ROWS - 16);
  g_assert_cmpuint (cp_invoice_model_find (model, N_ROWS - 16), ==, 1);
  g_assert_cmpint (cp_invoice_model_get_id (model, 1), ==, N_ROWS - 16);
  g_assert_cmpuint (cp_invoice_model_find (model, 5), ==, G_MAXUINT);

  /* The same settings again: nothing happens. */
  n_refills = 0;
  cp_invoice_model_set_view (model, -1, needle, CP_INVOICE_SORT_TOTAL, TRUE);
  g_assert_cmpuint (changes.n_signals, ==, 3);
  g_assert_cmpuint (n_refills, ==, 0);

  /* Nothing matches. */
  g_clear_pointer (&needle, g_free);
  needle = cp_invoice_index_fold ("zzz");
  cp_invoice_model_set_view (model, -1, needle, CP_INVOICE_SORT_TOTAL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  g_assert_cmpuint (changes.position, ==, 0);
  g_assert_cmpuint (changes.removed, ==, N_ROWS / 10);
}

/* Walking every row keeps only the items held (and the last few asked for). */
static void
test_bounded (void)
{
  g_autoptr(CpInvoiceIndex) index = make_index (N_ROWS);
  CpInvoiceModel *model = cp_invoice_model_new ();
  GListModel *list = G_LIST_MODEL (model);
  CpInvoiceRow *held;

  cp_invoice_model_set_index (model, index);
  held = g_list_model_get_item (list, 10);
  for (guint i = 0; i < N_ROWS; i++)
    g_assert_cmpint (id_at (list, i), ==, i + 1);
  g_assert_cmpuint (cp_invoice_model_get_n_cached (model), <=, 65);
  g_assert_cmpuint (cp_invoice_model_get_n_cached (model), >=, 1);

  /* A held item outlives the model and keeps what it shows. */
  g_assert_finalize_object (model);
  g_assert_cmpint (cp_invoice_row_get_id (held), ==, 11);
  g_assert_finalize_object (held);
}

/* A new index (a reload) refills only the items whose invoice changed. */
static void
test_reload (void)
{
  g_autoptr(CpInvoiceIndex) index = make_index (N_ROWS);
  g_autoptr(CpInvoiceIndex) same = make_index (N_ROWS);
  g_autoptr(CpInvoiceIndex) longer = make_index (N_ROWS + 1);
  g_autoptr(CpInvoiceModel) model = cp_invoice_model_new ();
  GListModel *list = G_LIST_MODEL (model);
  Changes changes = { 0 };
  g_autoptr(CpInvoiceRow) row = NULL;
  guint n_refills = 0;

  cp_invoice_model_set_index (model, index);
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  row = g_list_model_get_item (list, 5);
  g_signal_connect (row, "changed", G_CALLBACK (count_cb), &n_refills);

  cp_invoice_model_set_index (model, same);
  g_assert_cmpuint (changes.n_signals, ==, 0);
  g_assert_cmpuint (n_refills, ==, 0);
  g_assert_true (cp_invoice_model_get_index (model) == same);

  cp_invoice_model_set_index (model, longer);
  g_assert_cmpuint (changes.n_signals, ==, 1);
  g_assert_cmpuint (changes.position, ==, N_ROWS);
  g_assert_cmpuint (changes.added, ==, 1);
  g_assert_cmpuint (n_refills, ==, 0);

  cp_invoice_model_set_index (model, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  g_assert_cmpint (cp_invoice_row_get_id (row), ==, 6);
}

/* Runs the main loop until `paced` has let in every row, counting steps. */
static guint
run_steps (CpPacedModel *paced)
{
  guint n = 0;

  while (cp_paced_model_is_pacing (paced))
    {
      g_main_context_iteration (NULL, TRUE);
      n++;
      g_assert_cmpuint (n, <, 100);
    }
  return n;
}

/* Growth near the top comes a step at a time, up to the limit, then the
 * rest at once; shrinking, and rows past the limit, come at once; the items
 * are the source's own. */
static void
test_paced (void)
{
  g_autoptr(CpInvoiceIndex) index = make_index (N_ROWS);
  g_autoptr(CpInvoiceModel) model = cp_invoice_model_new ();
  g_autoptr(CpPacedModel) paced = cp_paced_model_new (G_LIST_MODEL (model));
  GListModel *list = G_LIST_MODEL (paced);
  g_autofree char *needle = cp_invoice_index_fold ("family3");
  g_autofree char *nothing = cp_invoice_index_fold ("zzz");
  Changes changes = { 0 };
  guint n_steps;

  g_signal_connect (paced, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  g_assert_true (g_list_model_get_item_type (list) == CP_TYPE_INVOICE_ROW);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  g_assert_false (cp_paced_model_is_pacing (paced));

  /* 0 -> 1000: a step now, steps up to the limit, then all. */
  cp_invoice_model_set_index (model, index);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, CP_PACED_MODEL_FIRST);
  g_assert_cmpuint (changes.position, ==, 0);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, CP_PACED_MODEL_FIRST);
  g_assert_true (cp_paced_model_is_pacing (paced));
  g_assert_null (g_list_model_get_item (list, CP_PACED_MODEL_FIRST));
  {
    g_autoptr(CpInvoiceRow) mine = g_list_model_get_item (list, 3);
    g_autoptr(CpInvoiceRow) source = g_list_model_get_item (G_LIST_MODEL (model), 3);

    g_assert_true (mine == source);
  }
  changes.n_signals = 0;
  n_steps = run_steps (paced);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, N_ROWS);
  /* Steps up to the limit, and one for the rest. */
  g_assert_cmpuint (changes.n_signals, ==,
                    (CP_PACED_MODEL_LIMIT - CP_PACED_MODEL_FIRST + CP_PACED_MODEL_STEP - 1) /
                    CP_PACED_MODEL_STEP + 1);
  g_assert_cmpuint (n_steps, >=, changes.n_signals);
  g_assert_cmpuint (changes.position + changes.added, ==, N_ROWS);

  /* 1000 -> 100 (a search): at once. */
  changes.n_signals = 0;
  cp_invoice_model_set_view (model, -1, needle, CP_INVOICE_SORT_NONE, FALSE);
  g_assert_cmpuint (changes.n_signals, ==, 1);
  g_assert_cmpuint (changes.position, ==, N_ROWS / 10);
  g_assert_cmpuint (changes.removed, ==, N_ROWS - N_ROWS / 10);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, N_ROWS / 10);
  g_assert_false (cp_paced_model_is_pacing (paced));

  /* 100 -> 0 -> 1000, and a search again before all are in: the new rows
   * replace what was shown, a step at a time again. */
  cp_invoice_model_set_view (model, -1, nothing, CP_INVOICE_SORT_NONE, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  cp_invoice_model_set_view (model, -1, NULL, CP_INVOICE_SORT_NONE, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, CP_PACED_MODEL_FIRST);
  cp_invoice_model_set_view (model, -1, needle, CP_INVOICE_SORT_NONE, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, CP_PACED_MODEL_FIRST);
  run_steps (paced);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, N_ROWS / 10);
  g_assert_cmpint (id_at (list, 0), ==, id_at (G_LIST_MODEL (model), 0));

  /* Showing a row far down (a selection kept) lets it in at once. */
  cp_invoice_model_set_view (model, -1, NULL, CP_INVOICE_SORT_NONE, FALSE);
  g_assert_true (cp_paced_model_is_pacing (paced));
  cp_paced_model_show (paced, 501);
  g_assert_cmpuint (g_list_model_get_n_items (list), >=, 501);
  g_assert_cmpint (id_at (list, 500), ==, 501);
  run_steps (paced);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, N_ROWS);

  /* Gone with its source: no step left behind. */
  cp_invoice_model_set_index (model, NULL);
  cp_invoice_model_set_index (model, index);
  g_assert_true (cp_paced_model_is_pacing (paced));
  g_assert_finalize_object (g_steal_pointer (&paced));
  g_assert_false (g_main_context_pending (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/invoice-model/view", test_view);
  g_test_add_func ("/carepay/invoice-model/bounded", test_bounded);
  g_test_add_func ("/carepay/invoice-model/reload", test_reload);
  g_test_add_func ("/carepay/invoice-model/paced", test_paced);

  return g_test_run ();
}
