/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <glib/gi18n.h>

#include "cp-bar-chart.h"
#include "cp-money.h"
#include "cp-reports-window.h"

typedef enum {
  PRESET_THIS_MONTH,
  PRESET_LAST_MONTH,
  PRESET_LAST_30_DAYS,
  PRESET_THIS_YEAR,
  PRESET_CUSTOM,
} Preset;

typedef enum {
  CARD_COLLECTED,
  CARD_REFUNDED,
  CARD_NET,
  CARD_AVERAGE,
  CARD_SUCCESS_RATE,
  CARD_DISPUTES,
  N_CARDS
} Card;

static const char *const card_names[N_CARDS] = {
  "collected", "refunded", "net", "average", "success-rate", "disputes",
};

/* At most this many disputes are listed; the CSV has them all */
#define MAX_LISTED 50

struct _CpReportsWindow
{
  AdwWindow         parent_instance;

  CpStore          *store;
  GCancellable     *cancellable;
  CpReport         *report;
  char             *currency;
  gboolean          loading;
  gboolean          updating_range;
  guint             reload_id;
  GtkFileChooserNative *chooser;

  GtkLabel         *card_values[N_CARDS];
  GtkLabel         *card_details[N_CARDS];

  AdwToastOverlay  *toast_overlay;
  AdwWindowTitle   *window_title;
  GtkSpinner       *spinner;
  GtkDropDown      *preset_dropdown;
  GtkEntry         *from_entry;
  GtkEntry         *to_entry;
  GtkDropDown      *by_dropdown;
  GtkDropDown      *currency_dropdown;
  GtkLabel         *range_error_label;
  GtkStack         *stack;
  GtkBox           *cards_box;
  CpBarChart       *series_chart;
  CpBarChart       *channel_chart;
  CpBarChart       *aging_chart;
  GtkLabel         *aging_caption;
  GtkListBox       *channel_list;
  GtkListBox       *aging_list;
  GtkListBox       *failures_list;
  GtkListBox       *disputes_list;
};

G_DEFINE_FINAL_TYPE (CpReportsWindow, cp_reports_window, ADW_TYPE_WINDOW)

static void reload (CpReportsWindow *self);

static const char *
channel_label (CpPaymentChannel channel)
{
  switch (channel)
    {
    case CP_PAYMENT_CHANNEL_KIOSK:
      return C_("channel", "Kiosk");
    case CP_PAYMENT_CHANNEL_LINK:
      return C_("channel", "Payment link");
    case CP_PAYMENT_CHANNEL_DESK:
    default:
      return C_("channel", "Desk");
    }
}

static char *
format_date (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

static GDate *
parse_date (const char *text)
{
  if (!cp_date_is_valid (text))
    return NULL;
  return g_date_new_dmy (atoi (text + 8), atoi (text + 5), atoi (text));
}

/* A date for people: "Nov 3", or "Nov 2026" for a month */
static char *
human_date (const char *iso,
            const char *format)
{
  g_autoptr(GDate) date = parse_date (iso);
  g_autoptr(GDateTime) dt = NULL;

  if (date == NULL)
    return g_strdup (iso);
  dt = g_date_time_new_local (g_date_get_year (date), g_date_get_month (date), g_date_get_day (date), 12, 0, 0);
  return g_date_time_format (dt, format);
}

static void
preset_range (Preset   preset,
              char   **from,
              char   **to)
{
  g_autofree char *today_text = cp_today ();
  g_autoptr(GDate) today = parse_date (today_text);
  g_autoptr(GDate) start = g_date_copy (today);
  g_autoptr(GDate) end = g_date_copy (today);

  switch (preset)
    {
    case PRESET_LAST_MONTH:
      g_date_set_day (start, 1);
      g_date_subtract_months (start, 1);
      g_date_set_day (end, 1);
      g_date_subtract_days (end, 1);
      break;
    case PRESET_LAST_30_DAYS:
      g_date_subtract_days (start, 29);
      break;
    case PRESET_THIS_YEAR:
      g_date_set_dmy (start, 1, G_DATE_JANUARY, g_date_get_year (today));
      break;
    case PRESET_THIS_MONTH:
    case PRESET_CUSTOM:
    default:
      g_date_set_day (start, 1);
      break;
    }
  *from = format_date (start);
  *to = format_date (end);
}

static void
remove_rows (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
add_row (GtkListBox *list,
         const char *title,
         const char *subtitle,
         const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_list_box_append (list, row);
  return row;
}

static void
set_card (CpReportsWindow *self,
          Card             card,
          const char      *value,
          const char      *detail)
{
  gtk_label_set_text (self->card_values[card], value);
  gtk_label_set_text (self->card_details[card], detail != NULL ? detail : "");
}

static void
show_series (CpReportsWindow *self,
             CpReport        *report)
{
  const char *format = report->by == CP_REPORT_BY_MONTH ? "%b %Y" : "%b %-d";
  const char *names[] = { _("Collected"), _("Refunded") };
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autofree gint64 *values = g_new0 (gint64, 2 * MAX (report->periods->len, 1));

  for (guint i = 0; i < report->periods->len; i++)
    {
      CpReportPeriod *period = g_ptr_array_index (report->periods, i);

      g_ptr_array_add (labels, human_date (period->start, format));
      values[2 * i] = period->collected;
      values[2 * i + 1] = period->refunded;
    }
  g_ptr_array_add (labels, NULL);
  cp_bar_chart_set_data (self->series_chart, report->currency, 2, names, report->periods->len,
                         (const char * const *) labels->pdata, values);
}

static void
show_channels (CpReportsWindow *self,
               CpReport        *report)
{
  const char *labels[CP_N_PAYMENT_CHANNELS];
  gint64 values[CP_N_PAYMENT_CHANNELS];
  const char *names[] = { _("Collected") };

  remove_rows (self->channel_list);
  for (guint i = 0; i < CP_N_PAYMENT_CHANNELS; i++)
    {
      g_autofree char *money = cp_money_format (report->channels[i].amount, report->currency);
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " payment",
                                                             "%" PRId64 " payments", report->channels[i].count),
                                                report->channels[i].count);

      labels[i] = channel_label ((CpPaymentChannel) i);
      values[i] = report->channels[i].amount;
      add_row (self->channel_list, labels[i], count, money);
    }
  cp_bar_chart_set_data (self->channel_chart, report->currency, 1, names, CP_N_PAYMENT_CHANNELS, labels, values);
}

static void
show_aging (CpReportsWindow *self,
            CpReport        *report)
{
  const char *labels[CP_N_REPORT_AGING];
  gint64 values[CP_N_REPORT_AGING];
  const char *names[] = { _("Balance") };

  {
    g_autofree char *date = human_date (report->to, "%x");
    /* Translators: next to "Open Balances by Age": the day the balances are as of */
    g_autofree char *caption = g_strdup_printf (_("as of %s, by days past due"), date);

    gtk_label_set_text (self->aging_caption, caption);
  }
  remove_rows (self->aging_list);
  for (guint i = 0; i < CP_N_REPORT_AGING; i++)
    {
      g_autofree char *money = cp_money_format (report->aging[i].amount, report->currency);
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " invoice",
                                                             "%" PRId64 " invoices", report->aging[i].count),
                                                report->aging[i].count);

      labels[i] = cp_report_aging_label ((CpReportAging) i);
      values[i] = report->aging[i].amount;
      add_row (self->aging_list, labels[i], count, money);
    }
  cp_bar_chart_set_data (self->aging_chart, report->currency, 1, names, CP_N_REPORT_AGING, labels, values);
}

static void
show_lists (CpReportsWindow *self,
            CpReport        *report)
{
  remove_rows (self->failures_list);
  for (guint i = 0; i < report->failures->len; i++)
    {
      CpReportFailure *failure = g_ptr_array_index (report->failures, i);
      g_autofree char *count = g_strdup_printf ("%" PRId64, failure->count);

      add_row (self->failures_list, failure->label, failure->code, count);
    }

  remove_rows (self->disputes_list);
  for (guint i = 0; i < report->disputes->len && i < MAX_LISTED; i++)
    {
      CpReportDispute *dispute = g_ptr_array_index (report->disputes, i);
      g_autofree char *money = cp_money_format (dispute->amount, report->currency);
      g_autofree char *date = human_date (dispute->date, "%x");
      /* Translators: a disputed payment's date and channel, "11/03/2026 · Kiosk" */
      g_autofree char *subtitle = g_strdup_printf (_("%s · %s"), date, channel_label (dispute->channel));

      add_row (self->disputes_list, dispute->invoice_number, subtitle, money);
    }
  if (report->disputes->len > MAX_LISTED)
    {
      g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u more dispute in the CSV export",
                                                            "%u more disputes in the CSV export",
                                                            report->disputes->len - MAX_LISTED),
                                               report->disputes->len - MAX_LISTED);

      add_row (self->disputes_list, more, NULL, "");
    }
}

static void
show_cards (CpReportsWindow *self,
            CpReport        *report)
{
  g_autofree char *collected = cp_money_format (report->collected, report->currency);
  g_autofree char *refunded = cp_money_format (report->refunded, report->currency);
  g_autofree char *net = cp_money_format (report->net, report->currency);
  g_autofree char *average = cp_money_format (report->average, report->currency);
  g_autofree char *disputed = cp_money_format (report->disputed_amount, report->currency);
  g_autofree char *n_payments = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *attempts = NULL;
  g_autofree char *disputes = NULL;

  n_payments = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " payment", "%" PRId64 " payments",
                                             report->n_succeeded), report->n_succeeded);
  if (report->n_succeeded + report->n_failed > 0)
    /* Translators: a percentage, "97.5%" */
    rate = g_strdup_printf (_("%.1f%%"), 100.0 * cp_report_success_rate (report));
  else
    rate = g_strdup (C_("success rate", "—"));
  /* Translators: below the success rate, "3 failed of 120" */
  attempts = g_strdup_printf (_("%" PRId64 " failed of %" PRId64), report->n_failed,
                              report->n_succeeded + report->n_failed);
  disputes = g_strdup_printf ("%" PRId64, report->n_disputes);

  set_card (self, CARD_COLLECTED, collected, n_payments);
  set_card (self, CARD_REFUNDED, refunded, _("Succeeded or pending"));
  set_card (self, CARD_NET, net, _("Collected less refunded"));
  set_card (self, CARD_AVERAGE, average, _("Per successful payment"));
  set_card (self, CARD_SUCCESS_RATE, rate, attempts);
  set_card (self, CARD_DISPUTES, disputes, disputed);
}

static void
show_currencies (CpReportsWindow *self,
                 CpReport        *report)
{
  GtkStringList *list;
  guint selected = 0;

  gtk_widget_set_visible (GTK_WIDGET (self->currency_dropdown), report->currencies->len > 1);
  if (report->currencies->len <= 1)
    return;

  list = gtk_string_list_new (NULL);
  for (guint i = 0; i < report->currencies->len; i++)
    {
      const char *code = g_ptr_array_index (report->currencies, i);

      gtk_string_list_append (list, code);
      if (g_str_equal (code, report->currency))
        selected = i;
    }
  self->updating_range = TRUE;
  gtk_drop_down_set_model (self->currency_dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->currency_dropdown, selected);
  self->updating_range = FALSE;
  g_object_unref (list);
}

static void
show_report (CpReportsWindow *self,
             CpReport        *report)
{
  g_autofree char *from = human_date (report->from, "%x");
  g_autofree char *to = human_date (report->to, "%x");
  /* Translators: the reports window's subtitle, "11/01/2026 – 11/22/2026 · USD" */
  g_autofree char *subtitle = g_strdup_printf (_("%s – %s · %s"), from, to, report->currency);

  g_clear_pointer (&self->report, cp_report_unref);
  self->report = cp_report_ref (report);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  show_currencies (self, report);

  if (cp_report_is_empty (report))
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  show_cards (self, report);
  show_series (self, report);
  show_channels (self, report);
  show_aging (self, report);
  show_lists (self, report);
  gtk_stack_set_visible_child_name (self->stack, "report");
}

static void
set_loading (CpReportsWindow *self,
             gboolean         loading)
{
  self->loading = loading;
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.export", !loading && self->report != NULL);
}

typedef struct {
  CpReportsWindow *self;
  CpReport        *report;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_object_unref (data->self);
  cp_report_unref (data->report);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadData, load_data_free)

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LoadData) data = user_data;
  CpReportsWindow *self = data->self;
  g_autoptr(GError) error = NULL;

  if (!cp_store_fill_report_finish (CP_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_loading (self, FALSE);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  show_report (self, data->report);
  set_loading (self, FALSE);
}

static void
reload (CpReportsWindow *self)
{
  const char *from = gtk_editable_get_text (GTK_EDITABLE (self->from_entry));
  const char *to = gtk_editable_get_text (GTK_EDITABLE (self->to_entry));
  guint by = gtk_drop_down_get_selected (self->by_dropdown);
  g_autoptr(CpReport) report = NULL;
  g_autoptr(GError) error = NULL;
  LoadData *data;

  g_clear_handle_id (&self->reload_id, g_source_remove);
  report = cp_report_new (from, to, by <= CP_REPORT_BY_MONTH ? by : CP_REPORT_BY_DAY, self->currency, &error);
  gtk_widget_remove_css_class (GTK_WIDGET (self->from_entry), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->to_entry), "error");
  gtk_label_set_text (self->range_error_label, "");
  if (report == NULL)
    {
      if (!cp_date_is_valid (from))
        gtk_widget_add_css_class (GTK_WIDGET (self->from_entry), "error");
      if (!cp_date_is_valid (to) || cp_date_is_valid (from))
        gtk_widget_add_css_class (GTK_WIDGET (self->to_entry), "error");
      gtk_label_set_text (self->range_error_label, error->message);
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);

  data = g_new0 (LoadData, 1);
  data->self = g_object_ref (self);
  data->report = cp_report_ref (report);
  cp_store_fill_report_async (self->store, report, self->cancellable, loaded_cb, data);
}

static gboolean
reload_timeout_cb (gpointer user_data)
{
  CpReportsWindow *self = user_data;

  self->reload_id = 0;
  reload (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (CpReportsWindow *self)
{
  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->reload_id = g_timeout_add (400, reload_timeout_cb, self);
}

static void
apply_preset (CpReportsWindow *self)
{
  Preset preset = gtk_drop_down_get_selected (self->preset_dropdown);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (preset == PRESET_CUSTOM)
    return;
  preset_range (preset, &from, &to);
  self->updating_range = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to);
  /* A year reads better by month */
  if (preset == PRESET_THIS_YEAR)
    gtk_drop_down_set_selected (self->by_dropdown, CP_REPORT_BY_MONTH);
  self->updating_range = FALSE;
  reload (self);
}

static void
preset_changed_cb (CpReportsWindow *self)
{
  if (!self->updating_range)
    apply_preset (self);
}

static void
dates_changed_cb (CpReportsWindow *self)
{
  if (self->updating_range)
    return;
  self->updating_range = TRUE;
  gtk_drop_down_set_selected (self->preset_dropdown, PRESET_CUSTOM);
  self->updating_range = FALSE;
  schedule_reload (self);
}

static void
by_changed_cb (CpReportsWindow *self)
{
  if (!self->updating_range)
    reload (self);
}

static void
currency_changed_cb (CpReportsWindow *self)
{
  GtkStringObject *item;

  if (self->updating_range)
    return;
  item = gtk_drop_down_get_selected_item (self->currency_dropdown);
  if (item == NULL)
    return;
  g_free (self->currency);
  self->currency = g_strdup (gtk_string_object_get_string (item));
  reload (self);
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  CpReportsWindow *self = user_data;
  CpReportTable table = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "table"));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->chooser);
  if (file == NULL)
    return;

  if (!cp_reports_window_export_csv (self, table, file, &error))
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
  else
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *text = g_strdup_printf (_("Saved %s"), name);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
    }
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CpReportsWindow *self = CP_REPORTS_WINDOW (widget);
  CpReportTable table;
  g_autofree char *name = NULL;

  if (self->report == NULL || !cp_report_table_from_string (g_variant_get_string (param, NULL), &table))
    return;

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Export CSV"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  name = g_strdup_printf ("carepay-%s-%s-%s.csv", cp_report_table_to_string (table), self->report->from,
                          self->report->to);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data (G_OBJECT (self->chooser), "table", GINT_TO_POINTER (table));
  g_signal_connect (self->chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
build_cards (CpReportsWindow *self)
{
  const char *titles[N_CARDS] = {
    _("Collected"), _("Refunded"), _("Net"), _("Average Payment"), _("Success Rate"), _("Disputes"),
  };

  for (guint i = 0; i < N_CARDS; i++)
    {
      GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *title = gtk_label_new (titles[i]);
      GtkWidget *value = gtk_label_new ("");
      GtkWidget *detail = gtk_label_new ("");

      gtk_widget_add_css_class (card, "card");
      gtk_widget_add_css_class (card, "report-card");
      gtk_widget_add_css_class (title, "caption-heading");
      gtk_widget_add_css_class (title, "dim-label");
      gtk_widget_add_css_class (value, "title-2");
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_add_css_class (detail, "caption");
      gtk_widget_add_css_class (detail, "dim-label");
      for (GtkWidget *w = title; w != NULL; w = w == title ? value : w == value ? detail : NULL)
        {
          gtk_label_set_xalign (GTK_LABEL (w), 0);
          gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
          gtk_widget_set_margin_start (w, 12);
          gtk_widget_set_margin_end (w, 12);
          gtk_box_append (GTK_BOX (card), w);
        }
      gtk_widget_set_margin_top (title, 10);
      gtk_widget_set_margin_bottom (detail, 10);
      gtk_widget_set_name (card, card_names[i]);
      /* A screen reader reads the card as one: "Collected: $1,200.00" */
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL, -1);
      gtk_box_append (self->cards_box, card);
      self->card_values[i] = GTK_LABEL (value);
      self->card_details[i] = GTK_LABEL (detail);
    }
}

static void
cp_reports_window_dispose (GObject *object)
{
  CpReportsWindow *self = CP_REPORTS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_REPORTS_WINDOW);
  G_OBJECT_CLASS (cp_reports_window_parent_class)->dispose (object);
}

static void
cp_reports_window_finalize (GObject *object)
{
  CpReportsWindow *self = CP_REPORTS_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->report, cp_report_unref);
  g_free (self->currency);
  G_OBJECT_CLASS (cp_reports_window_parent_class)->finalize (object);
}

static void
cp_reports_window_class_init (CpReportsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_reports_window_dispose;
  object_class->finalize = cp_reports_window_finalize;

  g_type_ensure (CP_TYPE_BAR_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/stingrays/CarePay/cp-reports-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, preset_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, from_entry);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, to_entry);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, by_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, currency_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, range_error_label);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, cards_box);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, series_chart);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, channel_chart);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, aging_chart);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, aging_caption);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, channel_list);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, aging_list);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, failures_list);
  gtk_widget_class_bind_template_child (widget_class, CpReportsWindow, disputes_list);

  gtk_widget_class_install_action (widget_class, "reports.export", "s", export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cp_reports_window_init (CpReportsWindow *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  build_cards (self);

  placeholder = gtk_label_new (_("No failed payments"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->failures_list, placeholder);
  placeholder = gtk_label_new (_("No disputes"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->disputes_list, placeholder);

  g_signal_connect_swapped (self->preset_dropdown, "notify::selected", G_CALLBACK (preset_changed_cb), self);
  g_signal_connect_swapped (self->by_dropdown, "notify::selected", G_CALLBACK (by_changed_cb), self);
  g_signal_connect_swapped (self->currency_dropdown, "notify::selected", G_CALLBACK (currency_changed_cb), self);
  g_signal_connect_swapped (self->from_entry, "changed", G_CALLBACK (dates_changed_cb), self);
  g_signal_connect_swapped (self->to_entry, "changed", G_CALLBACK (dates_changed_cb), self);
  g_signal_connect_swapped (self->from_entry, "activate", G_CALLBACK (reload), self);
  g_signal_connect_swapped (self->to_entry, "activate", G_CALLBACK (reload), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.export", FALSE);
  gtk_stack_set_visible_child_name (self->stack, "loading");
}

CpReportsWindow *
cp_reports_window_new (GtkWindow *parent,
                       CpStore   *store)
{
  CpReportsWindow *self;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  self = g_object_new (CP_TYPE_REPORTS_WINDOW, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->currency = cp_store_get_meta (store, "currency");
  if (self->currency == NULL)
    self->currency = g_strdup ("USD");
  apply_preset (self);
  return self;
}

void
cp_reports_window_set_range (CpReportsWindow     *self,
                             const char          *from,
                             const char          *to,
                             CpReportGranularity  by)
{
  g_return_if_fail (CP_IS_REPORTS_WINDOW (self));

  self->updating_range = TRUE;
  gtk_drop_down_set_selected (self->preset_dropdown, PRESET_CUSTOM);
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to);
  gtk_drop_down_set_selected (self->by_dropdown, by);
  self->updating_range = FALSE;
  reload (self);
}

gboolean
cp_reports_window_get_loading (CpReportsWindow *self)
{
  g_return_val_if_fail (CP_IS_REPORTS_WINDOW (self), FALSE);
  return self->loading;
}

CpReport *
cp_reports_window_get_report (CpReportsWindow *self)
{
  g_return_val_if_fail (CP_IS_REPORTS_WINDOW (self), NULL);
  return self->report;
}

const char *
cp_reports_window_get_card_text (CpReportsWindow *self,
                                 const char      *card)
{
  g_return_val_if_fail (CP_IS_REPORTS_WINDOW (self), NULL);

  for (guint i = 0; i < N_CARDS; i++)
    if (g_strcmp0 (card, card_names[i]) == 0)
      return gtk_label_get_text (self->card_values[i]);
  return NULL;
}

gboolean
cp_reports_window_export_csv (CpReportsWindow  *self,
                              CpReportTable     table,
                              GFile            *file,
                              GError          **error)
{
  g_autoptr(GFileOutputStream) stream = NULL;

  g_return_val_if_fail (CP_IS_REPORTS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->report == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("The report has not loaded yet"));
      return FALSE;
    }
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
  if (stream == NULL)
    return FALSE;
  if (!cp_report_write_csv (self->report, table, G_OUTPUT_STREAM (stream), NULL, error))
    return FALSE;
  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}
