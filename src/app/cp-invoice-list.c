/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cp-invoice-list.h"
#include "cp-invoice-list-header.h"
#include "cp-invoice-model.h"
#include "cp-invoice-row.h"
#include "cp-invoice-row-widget.h"
#include "cp-paced-model.h"
#include "cp-timing.h"
#include "cp-thread-call.h"
#include "cp-money.h"
#include "cp-ui-util.h"

/* The first screen of rows comes from one small query, shown while the whole
 * index is built in a worker. */
#define FIRST_PAGE_ROWS 40

struct _CpInvoiceList
{
  AdwBin              parent_instance;

  CpStore            *store;
  GCancellable       *cancellable;
  CpInvoiceModel     *model;
  CpPacedModel       *paced;      /* the model as the list view gets it */
  GtkSingleSelection *selection;
  char               *needle;       /* folded search text */
  char               *search_text;  /* as typed */
  int                 status_filter;
  CpInvoiceSortKey    sort_key;
  gboolean            sort_descending;
  guint               counts[CP_N_INVOICE_STATUSES];
  guint               n_loading;
  /* This load's halves of the cards, until both are in (show_totals). */
  CpInvoiceTotals    *month_totals;
  CpInvoiceIndex     *totals_index;
  gboolean            loaded_once;  /* the whole index, at least once */
  gboolean            has_data_version;
  guint64             data_version; /* the store's, just before the index was read */
  gboolean            partial;      /* only the first page so far */
  gboolean            painted_marked;
  gboolean            index_painted_marked;
  gboolean            updating_dropdown;
  gboolean            syncing_entry;
  gboolean            swapping;     /* selection changes are ours, not the user's */

  GtkLabel          *outstanding_value;
  GtkLabel          *outstanding_caption;
  GtkLabel          *overdue_value;
  GtkLabel          *overdue_caption;
  GtkLabel          *paid_value;
  GtkLabel          *paid_caption;
  GtkSearchEntry    *search_entry;
  GtkDropDown       *filter_dropdown;
  GtkStack          *content_stack;
  CpInvoiceListHeader *header;
  GtkListView       *list_view;
  AdwStatusPage     *empty_page;
  AdwStatusPage     *error_page;
  GtkLabel          *count_label;
  GtkLabel          *sync_label;
};

G_DEFINE_FINAL_TYPE (CpInvoiceList, cp_invoice_list, ADW_TYPE_BIN)

enum {
  INVOICE_SELECTED,
  INVOICE_ACTIVATED,
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
status_filter_label (int status)
{
  if (status < 0)
    return _("All");
  return cp_invoice_status_label (status);
}

static void
update_dropdown (CpInvoiceList *self)
{
  g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
  guint total = 0;

  for (guint i = 0; i < CP_N_INVOICE_STATUSES; i++)
    total += self->counts[i];

  for (int status = -1; status < CP_N_INVOICE_STATUSES; status++)
    {
      g_autofree char *text = NULL;
      guint count = status < 0 ? total : self->counts[status];

      if (self->loaded_once)
        /* Translators: a filter and how many invoices it has, "Overdue (3)" */
        text = g_strdup_printf (_("%s (%u)"), status_filter_label (status), count);
      else
        text = g_strdup (status_filter_label (status));
      gtk_string_list_append (strings, text);
    }

  self->updating_dropdown = TRUE;
  gtk_drop_down_set_model (self->filter_dropdown, G_LIST_MODEL (strings));
  gtk_drop_down_set_selected (self->filter_dropdown, self->status_filter + 1);
  self->updating_dropdown = FALSE;
}

static void
update_state (CpInvoiceList *self)
{
  CpInvoiceIndex *index = cp_invoice_model_get_index (self->model);
  guint n_shown;
  guint n_total;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "error") == 0)
    return;
  if (index == NULL)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "loading");
      return;
    }

  n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  n_total = cp_invoice_index_get_n_rows (index);

  if (self->partial)
    {
      /* The first page says nothing about the whole list yet. */
      gtk_label_set_text (self->count_label, "");
      gtk_stack_set_visible_child_name (self->content_stack, n_shown > 0 ? "list" : "loading");
      return;
    }
  else
    {
      g_autofree char *count_text = NULL;

      count_text = g_strdup_printf (ngettext ("%u of %u invoice", "%u of %u invoices", n_total),
                                    n_shown, n_total);
      gtk_label_set_text (self->count_label, count_text);
    }

  if (n_shown > 0)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "list");
      return;
    }

  if (n_total == 0)
    {
      adw_status_page_set_icon_name (self->empty_page, "x-office-document-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Invoices Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("Create the first one with New Invoice (Ctrl+N)."));
    }
  else if (self->needle != NULL && *self->needle != '\0')
    {
      g_autofree char *title = g_strdup_printf (_("No Invoices Match “%s”"), self->search_text);

      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, title);
      if (self->status_filter >= 0)
        adw_status_page_set_description (self->empty_page,
                                         _("Search by invoice number, patient name or MRN, "
                                           "or choose All to search every status."));
      else
        adw_status_page_set_description (self->empty_page,
                                         _("Search by invoice number, patient name or MRN, "
                                           "and check the spelling."));
    }
  else
    {
      g_autofree char *title = g_strdup_printf (_("No Invoices: %s"),
                                                status_filter_label (self->status_filter));

      adw_status_page_set_icon_name (self->empty_page, "object-select-symbolic");
      adw_status_page_set_title (self->empty_page, title);
      adw_status_page_set_description (self->empty_page, _("Choose All to see every invoice."));
    }
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

/* After a new search, filter or sort: the selected row if it is still
 * shown, else the top. (The items are positions, so without this the view
 * would stay at the same place in a different list.) */
static void
scroll_after_change (CpInvoiceList *self)
{
  guint position = gtk_single_selection_get_selected (self->selection);
  GtkAdjustment *vadjustment;

  if (position != GTK_INVALID_LIST_POSITION)
    {
      /* No API for it in 4.8: the list view's own action. */
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
      return;
    }
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));
  if (vadjustment != NULL && gtk_adjustment_get_value (vadjustment) > 0)
    gtk_adjustment_set_value (vadjustment, 0);
}

/* Shows `index` (a reload, when not NULL) with the current filter, search
 * and sort. The selection is dropped first and put back by id: it follows
 * the invoice, not the position, and is not announced again: the detail
 * may show another invoice, or a patient, by now (the sync reloads the
 * detail itself when its invoice changed). */
static void
apply_view (CpInvoiceList  *self,
            CpInvoiceIndex *index)
{
  guint position = gtk_single_selection_get_selected (self->selection);
  gint64 selected_id = 0;

  if (position != GTK_INVALID_LIST_POSITION)
    selected_id = cp_invoice_model_get_id (self->model, position);

  self->swapping = TRUE;
  if (selected_id != 0)
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  if (index != NULL)
    cp_invoice_model_set_index (self->model, index);
  cp_invoice_model_set_view (self->model, self->status_filter, self->needle,
                             self->sort_key, self->sort_descending);
  if (selected_id != 0)
    {
      position = cp_invoice_model_find (self->model, selected_id);
      if (position != G_MAXUINT)
        {
          cp_paced_model_show (self->paced, position + 1);
          gtk_single_selection_set_selected (self->selection, position);
        }
    }
  self->swapping = FALSE;

  /* A reload keeps the view where it is. */
  if (index == NULL)
    scroll_after_change (self);
  update_state (self);
}

/* Rows: one drawn widget each (CpInvoiceRowWidget) in the header's columns */

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          CpInvoiceList            *self)
{
  gtk_list_item_set_child (item, cp_invoice_row_widget_new (self->header));
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  cp_invoice_row_widget_set_row (CP_INVOICE_ROW_WIDGET (gtk_list_item_get_child (item)),
                                 gtk_list_item_get_item (item));
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  cp_invoice_row_widget_set_row (CP_INVOICE_ROW_WIDGET (gtk_list_item_get_child (item)), NULL);
}

/* A click on a heading: rows are never sorted by GTK, CpInvoiceIndex does it. */
static void
sort_changed_cb (CpInvoiceList *self)
{
  CpInvoiceSortKey key = cp_invoice_list_header_get_sort_key (self->header);
  gboolean descending = cp_invoice_list_header_get_sort_descending (self->header);

  if (self->model == NULL || (key == self->sort_key && descending == self->sort_descending))
    return;
  self->sort_key = key;
  self->sort_descending = descending;
  apply_view (self, NULL);
}

/* With large text the issue date gives its room to the status and the
 * patient: the due date is the one that matters at the desk. */
static void
text_scale_changed_cb (GtkSettings   *settings,
                       GParamSpec    *pspec,
                       CpInvoiceList *self)
{
  int dpi = 0;

  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  /* gtk-xft-dpi is 1024 × dots per inch; 96 is 100 % */
  cp_invoice_list_header_set_column_visible (self->header, CP_INVOICE_SORT_ISSUE_DATE,
                                             dpi <= 0 || dpi <= 96 * 1024 * 3 / 2);
  /* The rows' text has another size: the columns fit it again. */
  if (pspec != NULL)
    cp_invoice_list_header_reset_widths (self->header);
}

static void
setup_rows (CpInvoiceList *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_cb), self, 0);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
}

/* Loading */

static void
set_card (GtkLabel   *value,
          GtkLabel   *caption,
          gint64      amount,
          const char *currency,
          const char *caption_text)
{
  cp_ui_label_set_money (value, amount, currency);
  gtk_label_set_text (caption, caption_text);
}

static void
clear_totals (CpInvoiceList *self)
{
  if (self->month_totals != NULL)
    {
      cp_invoice_totals_clear (self->month_totals);
      g_clear_pointer (&self->month_totals, g_free);
    }
  g_clear_pointer (&self->totals_index, cp_invoice_index_unref);
}

/* `error` is NULL when the list shows it already. */
static void
show_no_totals (CpInvoiceList *self,
                const GError  *error)
{
  cp_timing_mark ("totals-done");
  if (error != NULL)
    g_warning ("Cannot compute the invoice totals: %s", error->message);
  gtk_label_set_text (self->outstanding_value, "—");
  gtk_label_set_text (self->overdue_value, "—");
  gtk_label_set_text (self->paid_value, "—");
  clear_totals (self);
}

/* The cards, once this load has both halves: the month's payments from the
 * store and the index, whose rows give the open balances (one pass over
 * rows in memory, rather than a second read of every invoice). */
static void
show_totals (CpInvoiceList *self)
{
  g_autoptr(GError) error = NULL;
  CpInvoiceTotals *totals = self->month_totals;
  g_autofree char *outstanding = NULL;
  g_autofree char *overdue = NULL;
  g_autofree char *paid = NULL;

  if (totals == NULL || self->totals_index == NULL)
    return;
  if (!cp_invoice_index_add_open_totals (self->totals_index, totals, &error))
    {
      show_no_totals (self, error);
      return;
    }
  cp_timing_mark ("totals-done");

  /* (int): xgettext cannot see through G_GINT64_FORMAT. */
  outstanding = g_strdup_printf (ngettext ("%d open invoice",
                                           "%d open invoices",
                                           totals->outstanding_count),
                                 (int) totals->outstanding_count);
  overdue = g_strdup_printf (ngettext ("%d invoice past due",
                                       "%d invoices past due",
                                       totals->overdue_count),
                             (int) totals->overdue_count);
  paid = g_strdup_printf (ngettext ("%d payment",
                                    "%d payments",
                                    totals->paid_this_month_count),
                          (int) totals->paid_this_month_count);
  set_card (self->outstanding_value, self->outstanding_caption,
            totals->outstanding, totals->currency, outstanding);
  set_card (self->overdue_value, self->overdue_caption,
            totals->overdue, totals->currency, overdue);
  set_card (self->paid_value, self->paid_caption,
            totals->paid_this_month, totals->currency, paid);
  clear_totals (self);
}

static void
month_totals_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CpInvoiceList) self = user_data;
  g_autoptr(GError) error = NULL;
  CpInvoiceTotals *totals;

  totals = cp_store_get_paid_this_month_finish (CP_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (totals == NULL)
    {
      show_no_totals (self, error);
      return;
    }
  self->month_totals = totals;
  show_totals (self);
}

/* The rest of the cards comes with the index (index_cb). */
static void
load_totals (CpInvoiceList *self)
{
  clear_totals (self);
  cp_store_get_paid_this_month_async (self->store, self->cancellable, month_totals_cb,
                                      g_object_ref (self));
}

static void
finish_loading (CpInvoiceList *self)
{
  g_assert (self->n_loading > 0);

  if (--self->n_loading == 0)
    {
      update_state (self);
      g_signal_emit (self, signals[LOADED], 0);
    }
}

static void
mark_painted (CpInvoiceList *self)
{
  if (self->painted_marked)
    return;
  self->painted_marked = TRUE;
  cp_timing_mark_after_paint (GTK_WIDGET (self->list_view), "list-painted");
}

typedef struct {
  CpStore          *store;
  CpInvoiceSortKey  sort;
  gboolean          has_version;
  guint64           version;
} BuildData;

static void
build_data_free (BuildData *data)
{
  g_object_unref (data->store);
  g_free (data);
}

/* A thread of its own, a little behind the main thread and the X server:
 * it reads every invoice (0.6–0.8 s of CPU at 100,000), often while the
 * password is checked and the first frame after sign-in drawn. Nice 5 made
 * that frame 10–15 ms sooner at 100,000 on two idle cores; with both cores
 * busy with other programs the whole list then comes ~2 s later than at
 * nice 0 (2.8 s against 0.65 s after sign-in), where nice 10 took 7.3 s. */
static gpointer
build_index_thread (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BuildData *data = g_task_get_task_data (task);
  GError *error = NULL;
  CpInvoiceIndex *index;

  cp_thread_lower_priority (5);
  if (g_task_return_error_if_cancelled (task))
    return NULL;
  /* Before the read: a commit by another program during it changes the
   * version, so the window's poll reloads once more. */
  data->has_version = cp_store_get_data_version (data->store, &data->version, NULL);
  index = cp_invoice_index_new_from_store (data->store, &error);
  /* Sorted by a column, the new index needs its order at once: make it here
   * rather than on the main thread. */
  if (index != NULL)
    cp_invoice_index_get_order (index, data->sort);
#ifdef __GLIBC__
  /* The rows read for the index (tens of megabytes at 100,000 invoices) are
   * freed by now, but glibc keeps the pages of this thread's arena. */
  malloc_trim (0);
#endif
  if (index == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, index, (GDestroyNotify) cp_invoice_index_unref);
  return NULL;
}

static void
index_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CpInvoiceList *self = CP_INVOICE_LIST (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpInvoiceIndex) index = NULL;

  index = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;

  if (index == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->content_stack, "error");
      show_no_totals (self, NULL);
      finish_loading (self);
      return;
    }

  cp_timing_mark ("index-ready");
  {
    BuildData *data = g_task_get_task_data (G_TASK (result));

    self->has_data_version = data->has_version;
    self->data_version = data->version;
  }
  self->totals_index = cp_invoice_index_ref (index);
  show_totals (self);
  cp_invoice_index_count_statuses (index, self->counts);
  self->loaded_once = TRUE;
  self->partial = FALSE;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "error") == 0)
    gtk_stack_set_visible_child_name (self->content_stack, "loading");
  apply_view (self, index);
  update_dropdown (self);
  if (self->painted_marked && !self->index_painted_marked)
    {
      /* For the benchmarks: the first frame after the whole index replaced the first page. */
      self->index_painted_marked = TRUE;
      cp_timing_mark_after_paint (GTK_WIDGET (self->list_view), "index-painted");
    }
  mark_painted (self);

  finish_loading (self);
}

static void
build_index (CpInvoiceList *self)
{
  /* The task holds the list (its source object) until it returns. */
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, index_cb, NULL);
  BuildData *data = g_new0 (BuildData, 1);
  GThread *thread;
  GError *error = NULL;

  data->store = g_object_ref (self->store);
  data->sort = self->sort_key;
  g_task_set_source_tag (task, build_index);
  g_task_set_task_data (task, data, (GDestroyNotify) build_data_free);
  thread = g_thread_try_new ("carepay-index", build_index_thread, g_object_ref (task), &error);
  if (thread == NULL)
    {
      g_object_unref (task);
      g_task_return_error (task, error);
      return;
    }
  g_thread_unref (thread);
}

static void
first_page_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CpInvoiceList) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) summaries = NULL;

  summaries = cp_store_list_invoices_finish (CP_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  cp_timing_mark ("first-page-done");

  /* A failure here is reported by the full load that follows. */
  if (summaries != NULL && summaries->len > 0 && cp_invoice_model_get_index (self->model) == NULL)
    {
      g_autoptr(CpInvoiceIndex) page = cp_invoice_index_new_from_summaries (summaries);

      self->partial = TRUE;
      apply_view (self, page);
      mark_painted (self);
    }
  /* The month's payments first: a short query that would otherwise wait
   * for the index's read of every invoice to release the store. */
  load_totals (self);
  build_index (self);
}

static void
load (CpInvoiceList *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->n_loading = 0;

  if (self->store == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  if (!self->loaded_once)
    gtk_stack_set_visible_child_name (self->content_stack, "loading");

  self->n_loading = 2;
  if (cp_invoice_model_get_index (self->model) == NULL)
    {
      CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;

      /* Nothing on screen yet: the first rows in the store's order come
       * first, while the whole index is built (then it replaces them). */
      query.limit = FIRST_PAGE_ROWS;
      cp_timing_mark ("first-page-start");
      cp_store_list_invoices_async (self->store, &query, self->cancellable, first_page_cb,
                                    g_object_ref (self));
    }
  else
    {
      load_totals (self);
      build_index (self);
    }
  finish_loading (self); /* totals do not hold the list back */
}

void
cp_invoice_list_reload (CpInvoiceList *self)
{
  g_return_if_fail (CP_IS_INVOICE_LIST (self));

  load (self);
}

/* Callbacks */

static void
search_changed_cb (CpInvoiceList *self)
{
  if (self->syncing_entry)
    return;
  cp_invoice_list_set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
stop_search_cb (CpInvoiceList *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
search_activate_cb (CpInvoiceList *self)
{
  /* Enter in the search opens the first match, as in GNOME Settings. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    {
      if (gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION)
        gtk_single_selection_set_selected (self->selection, 0);
      cp_invoice_list_activate_selected (self);
    }
}

static void
filter_selected_cb (CpInvoiceList *self)
{
  guint selected;

  if (self->updating_dropdown)
    return;
  selected = gtk_drop_down_get_selected (self->filter_dropdown);
  if (selected == GTK_INVALID_LIST_POSITION)
    return;
  cp_invoice_list_set_status_filter (self, (int) selected - 1);
}

static void
retry_cb (CpInvoiceList *self)
{
  gtk_stack_set_visible_child_name (self->content_stack, "loading");
  cp_invoice_list_reload (self);
}

static void
activate_cb (CpInvoiceList *self,
             guint          position)
{
  if (position < g_list_model_get_n_items (G_LIST_MODEL (self->model)))
    g_signal_emit (self, signals[INVOICE_ACTIVATED], 0, cp_invoice_model_get_id (self->model, position));
}

static void
selection_changed_cb (CpInvoiceList *self)
{
  guint position = gtk_single_selection_get_selected (self->selection);

  if (self->swapping || position == GTK_INVALID_LIST_POSITION)
    return;
  g_signal_emit (self, signals[INVOICE_SELECTED], 0, cp_invoice_model_get_id (self->model, position));
}

static void
items_changed_cb (CpInvoiceList *self)
{
  update_state (self);
}

static void
cp_invoice_list_dispose (GObject *object)
{
  CpInvoiceList *self = CP_INVOICE_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->paced);
  g_clear_object (&self->model);
  g_clear_object (&self->store);
  clear_totals (self);

  G_OBJECT_CLASS (cp_invoice_list_parent_class)->dispose (object);
}

static void
cp_invoice_list_finalize (GObject *object)
{
  CpInvoiceList *self = CP_INVOICE_LIST (object);

  g_free (self->needle);
  g_free (self->search_text);

  G_OBJECT_CLASS (cp_invoice_list_parent_class)->finalize (object);
}

static void
cp_invoice_list_class_init (CpInvoiceListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_invoice_list_dispose;
  object_class->finalize = cp_invoice_list_finalize;

  signals[INVOICE_SELECTED] = g_signal_new ("invoice-selected", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[INVOICE_ACTIVATED] = g_signal_new ("invoice-activated", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (CP_TYPE_INVOICE_LIST_HEADER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/cp-invoice-list.ui");
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, outstanding_value);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, outstanding_caption);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, overdue_value);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, overdue_caption);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, paid_value);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, paid_caption);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, content_stack);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, header);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, list_view);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, error_page);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, count_label);
  gtk_widget_class_bind_template_child (widget_class, CpInvoiceList, sync_label);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_cb);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);
}

static void
cp_invoice_list_init (CpInvoiceList *self)
{
  self->status_filter = -1;
  self->sort_key = CP_INVOICE_SORT_NONE;

  gtk_widget_init_template (GTK_WIDGET (self));

  setup_rows (self);
  g_signal_connect_object (gtk_settings_get_default (), "notify::gtk-xft-dpi",
                           G_CALLBACK (text_scale_changed_cb), self, 0);
  text_scale_changed_cb (gtk_settings_get_default (), NULL, self);

  self->model = cp_invoice_model_new ();
  self->paced = cp_paced_model_new (G_LIST_MODEL (self->model));
  cp_paced_model_set_widget (self->paced, GTK_WIDGET (self->list_view));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->paced)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "items-changed",
                           G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->header, "notify::sort-key",
                           G_CALLBACK (sort_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->header, "notify::sort-descending",
                           G_CALLBACK (sort_changed_cb), self, G_CONNECT_SWAPPED);

  update_dropdown (self);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->list_view));
  /* Filtering takes a few milliseconds even at 100,000 invoices: follow the
   * typing closely instead of GTK's 150 ms pause. */
  gtk_search_entry_set_search_delay (self->search_entry, 30);
}

GtkWidget *
cp_invoice_list_new (void)
{
  return g_object_new (CP_TYPE_INVOICE_LIST, NULL);
}

void
cp_invoice_list_set_store (CpInvoiceList *self,
                           CpStore       *store)
{
  g_return_if_fail (CP_IS_INVOICE_LIST (self));

  if (!g_set_object (&self->store, store))
    return;

  self->loaded_once = FALSE;
  self->has_data_version = FALSE;
  self->partial = FALSE;
  self->swapping = TRUE;
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  cp_invoice_model_set_index (self->model, NULL);
  self->swapping = FALSE;
  memset (self->counts, 0, sizeof self->counts);
  update_dropdown (self);
  load (self);
}

gboolean
cp_invoice_list_get_data_version (CpInvoiceList *self,
                                  guint64       *out_version)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST (self), FALSE);

  *out_version = self->data_version;
  return self->has_data_version;
}

gboolean
cp_invoice_list_get_loading (CpInvoiceList *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST (self), FALSE);

  return self->n_loading > 0;
}

void
cp_invoice_list_set_status_filter (CpInvoiceList *self,
                                   int            status)
{
  g_return_if_fail (CP_IS_INVOICE_LIST (self));
  g_return_if_fail (status >= -1 && status < CP_N_INVOICE_STATUSES);

  if (self->status_filter == status)
    return;

  self->status_filter = status;
  if (gtk_drop_down_get_selected (self->filter_dropdown) != (guint) (status + 1))
    gtk_drop_down_set_selected (self->filter_dropdown, status + 1);
  apply_view (self, NULL);
}

int
cp_invoice_list_get_status_filter (CpInvoiceList *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST (self), -1);

  return self->status_filter;
}

guint
cp_invoice_list_get_status_count (CpInvoiceList *self,
                                  int            status)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST (self), 0);

  if (status < 0)
    {
      guint total = 0;

      for (guint i = 0; i < CP_N_INVOICE_STATUSES; i++)
        total += self->counts[i];
      return total;
    }
  g_return_val_if_fail (status < CP_N_INVOICE_STATUSES, 0);
  return self->counts[status];
}

void
cp_invoice_list_set_search (CpInvoiceList *self,
                            const char    *text)
{
  g_autofree char *stripped = NULL;
  g_autofree char *needle = NULL;

  g_return_if_fail (CP_IS_INVOICE_LIST (self));

  stripped = g_strstrip (g_strdup (text ? text : ""));
  needle = cp_invoice_index_fold (stripped);
  if (g_strcmp0 (needle, self->needle ? self->needle : "") == 0)
    return;

  g_free (self->needle);
  self->needle = g_steal_pointer (&needle);
  g_free (self->search_text);
  self->search_text = g_steal_pointer (&stripped);

  /* set_text deletes then inserts, and an empty search entry reports at once:
   * ignore what the entry says while we write into it. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text ? text : "") != 0)
    {
      self->syncing_entry = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
      self->syncing_entry = FALSE;
    }

  apply_view (self, NULL);
}

void
cp_invoice_list_focus_search (CpInvoiceList *self)
{
  g_return_if_fail (CP_IS_INVOICE_LIST (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

GListModel *
cp_invoice_list_get_model (CpInvoiceList *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST (self), NULL);

  return G_LIST_MODEL (self->model);
}

GListModel *
cp_invoice_list_get_view_model (CpInvoiceList *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST (self), NULL);

  return G_LIST_MODEL (self->paced);
}

gboolean
cp_invoice_list_select_invoice (CpInvoiceList *self,
                                gint64         id)
{
  guint position;

  g_return_val_if_fail (CP_IS_INVOICE_LIST (self), FALSE);

  position = cp_invoice_model_find (self->model, id);
  if (position == G_MAXUINT)
    return FALSE;
  cp_paced_model_show (self->paced, position + 1);
  gtk_single_selection_set_selected (self->selection, position);
  return TRUE;
}

void
cp_invoice_list_activate_selected (CpInvoiceList *self)
{
  guint position;

  g_return_if_fail (CP_IS_INVOICE_LIST (self));

  position = gtk_single_selection_get_selected (self->selection);
  if (position != GTK_INVALID_LIST_POSITION)
    activate_cb (self, position);
}

const char *
cp_invoice_list_get_state (CpInvoiceList *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST (self), NULL);

  return gtk_stack_get_visible_child_name (self->content_stack);
}

void
cp_invoice_list_set_sync_status (CpInvoiceList *self,
                                 const char    *text)
{
  g_return_if_fail (CP_IS_INVOICE_LIST (self));

  gtk_label_set_text (self->sync_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->sync_label), text != NULL && *text != '\0');
}

const char *
cp_invoice_list_get_sync_status (CpInvoiceList *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_LIST (self), NULL);

  return gtk_label_get_text (self->sync_label);
}
