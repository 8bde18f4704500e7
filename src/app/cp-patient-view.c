/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-money.h"
#include "cp-patient-view.h"
#include "cp-ui-util.h"

struct _CpPatientView
{
  AdwBin        parent_instance;

  CpStore      *store;
  GCancellable *cancellable;
  gint64        patient_id;
  CpPatient    *patient;
  GPtrArray    *invoices;   /* CpInvoiceSummary */
  gint64        balance;
  gboolean      loading;

  GtkStack      *stack;
  AdwStatusPage *error_page;
  GtkLabel      *name_label;
  GtkLabel      *mrn_label;
  GtkLabel      *dob_label;
  GtkLabel      *email_label;
  GtkLabel      *phone_label;
  GtkLabel      *address_label;
  GtkLabel      *language_label;
  GtkLabel      *balance_label;
  GtkLabel      *balance_caption;
  GtkListBox    *invoices_list;
};

G_DEFINE_FINAL_TYPE (CpPatientView, cp_patient_view, ADW_TYPE_BIN)

enum {
  INVOICE_ACTIVATED,
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  CpPatient *patient;
  GPtrArray *invoices;
} LoadResult;

static void
load_result_free (gpointer data)
{
  LoadResult *r = data;

  g_clear_pointer (&r->patient, cp_patient_free);
  g_clear_pointer (&r->invoices, g_ptr_array_unref);
  g_free (r);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CpStore *store = task_data;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "patient-id"));
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  LoadResult *r = g_new0 (LoadResult, 1);
  GError *error = NULL;

  r->patient = cp_store_get_patient (store, id, &error);
  if (r->patient != NULL)
    {
      query.patient_id = id;
      r->invoices = cp_store_list_invoices (store, &query, &error);
    }
  if (error != NULL)
    {
      load_result_free (r);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, r, load_result_free);
}

static GtkWidget *
invoice_row_new (const CpInvoiceSummary *s)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *number = gtk_label_new (s->number);
  GtkWidget *dates;
  GtkWidget *balance;
  GtkWidget *badge = cp_ui_status_badge_new (s->status);
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
  g_autofree char *issue = cp_ui_format_date (s->issue_date);
  g_autofree char *due = cp_ui_format_date (s->due_date);
  g_autofree char *total = cp_money_format (s->total, s->currency);
  g_autofree char *bal = cp_money_format (s->balance_due, s->currency);
  g_autofree char *dates_text = NULL;
  g_autofree char *balance_text = NULL;

  /* Translators: "Issued Nov 1, 2026 · Due Dec 1, 2026 · Total $1,200.00" */
  dates_text = g_strdup_printf (_("Issued %s · Due %s · Total %s"), issue, due, total);
  /* Translators: the balance still due on an invoice, "$200.00 due" */
  balance_text = g_strdup_printf (_("%s due"), bal);

  dates = gtk_label_new (dates_text);
  balance = gtk_label_new (balance_text);
  gtk_label_set_xalign (GTK_LABEL (number), 0);
  gtk_label_set_xalign (GTK_LABEL (dates), 0);
  gtk_label_set_wrap (GTK_LABEL (dates), TRUE);
  gtk_label_set_xalign (GTK_LABEL (balance), 1);
  gtk_widget_set_hexpand (number, TRUE);
  gtk_widget_add_css_class (number, "heading");
  gtk_widget_add_css_class (number, "numeric");
  gtk_widget_add_css_class (dates, "caption");
  gtk_widget_add_css_class (dates, "dim-label");
  gtk_widget_add_css_class (balance, "numeric");
  gtk_widget_set_halign (badge, GTK_ALIGN_END);
  gtk_widget_set_valign (arrow, GTK_ALIGN_CENTER);

  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  gtk_widget_add_css_class (grid, "line-item");
  gtk_grid_attach (GTK_GRID (grid), number, 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), badge, 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), dates, 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), balance, 1, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), arrow, 2, 0, 1, 2);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), grid);
  g_object_set_data (G_OBJECT (row), "invoice-id", GSIZE_TO_POINTER ((gsize) s->id));
  return row;
}

static void
show_current (CpPatientView *self)
{
  const CpPatient *p = self->patient;
  g_autofree char *name = cp_patient_display_name (p);
  g_autofree char *dob = p->date_of_birth ? cp_ui_format_date (p->date_of_birth) : NULL;
  g_autofree char *caption = NULL;
  const char *currency = NULL;
  GtkWidget *child;
  guint n_open = 0;

  gtk_label_set_text (self->name_label, name);
  cp_ui_label_set_text_or_dash (self->mrn_label, p->mrn);
  cp_ui_label_set_text_or_dash (self->dob_label, dob);
  cp_ui_label_set_text_or_dash (self->email_label, p->email);
  cp_ui_label_set_text_or_dash (self->phone_label, p->phone);
  cp_ui_label_set_text_or_dash (self->address_label, p->address);
  cp_ui_label_set_text_or_dash (self->language_label,
                                g_strcmp0 (p->preferred_language, "es") == 0 ? _("Spanish")
                                : g_strcmp0 (p->preferred_language, "en") == 0 ? _("English")
                                : p->preferred_language);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->invoices_list))) != NULL)
    gtk_list_box_remove (self->invoices_list, child);

  self->balance = 0;
  for (guint i = 0; i < self->invoices->len; i++)
    {
      const CpInvoiceSummary *s = g_ptr_array_index (self->invoices, i);

      /* Mixed currencies cannot be summed; the store bills in one. */
      if (currency == NULL)
        currency = s->currency;
      if (g_strcmp0 (currency, s->currency) == 0)
        self->balance += s->balance_due;
      if (s->balance_due > 0)
        n_open++;
      gtk_list_box_append (self->invoices_list, invoice_row_new (s));
    }

  if (currency == NULL)
    {
      g_autoptr(GSettings) settings = g_settings_new (APP_ID);
      g_autofree char *cur = g_settings_get_string (settings, "currency");

      cp_ui_label_set_money (self->balance_label, 0, cur);
    }
  else
    cp_ui_label_set_money (self->balance_label, self->balance, currency);

  caption = g_strdup_printf (ngettext ("%u invoice, %u with a balance",
                                       "%u invoices, %u with a balance",
                                       self->invoices->len),
                             self->invoices->len, n_open);
  gtk_label_set_text (self->balance_caption, caption);

  if (self->invoices->len == 0)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *label = gtk_label_new (_("No invoices for this patient"));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "line-item");
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_list_box_append (self->invoices_list, row);
    }

  gtk_stack_set_visible_child_name (self->stack, "patient");
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CpPatientView) self = user_data;
  g_autoptr(GError) error = NULL;
  LoadResult *r;

  r = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading = FALSE;
  g_clear_pointer (&self->patient, cp_patient_free);
  g_clear_pointer (&self->invoices, g_ptr_array_unref);

  if (r == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    {
      self->patient = g_steal_pointer (&r->patient);
      self->invoices = g_steal_pointer (&r->invoices);
      load_result_free (r);
      show_current (self);
    }
  g_signal_emit (self, signals[LOADED], 0);
}

void
cp_patient_view_reload (CpPatientView *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_PATIENT_VIEW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->loading = FALSE;

  if (self->store == NULL || self->patient_id == 0)
    return;

  if (self->patient == NULL || self->patient->id != self->patient_id)
    gtk_stack_set_visible_child_name (self->stack, "loading");

  self->loading = TRUE;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, load_cb, g_object_ref (self));
  g_task_set_source_tag (task, cp_patient_view_reload);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_object_set_data (G_OBJECT (task), "patient-id", GSIZE_TO_POINTER ((gsize) self->patient_id));
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, load_thread);
}

static void
row_activated_cb (CpPatientView *self,
                  GtkListBoxRow *row)
{
  gint64 id = (gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "invoice-id"));

  if (id != 0)
    g_signal_emit (self, signals[INVOICE_ACTIVATED], 0, id);
}

static void
retry_cb (CpPatientView *self)
{
  cp_patient_view_reload (self);
}

static void
cp_patient_view_dispose (GObject *object)
{
  CpPatientView *self = CP_PATIENT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cp_patient_view_parent_class)->dispose (object);
}

static void
cp_patient_view_finalize (GObject *object)
{
  CpPatientView *self = CP_PATIENT_VIEW (object);

  g_clear_pointer (&self->patient, cp_patient_free);
  g_clear_pointer (&self->invoices, g_ptr_array_unref);

  G_OBJECT_CLASS (cp_patient_view_parent_class)->finalize (object);
}

static void
cp_patient_view_class_init (CpPatientViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_patient_view_dispose;
  object_class->finalize = cp_patient_view_finalize;

  signals[INVOICE_ACTIVATED] = g_signal_new ("invoice-activated", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/cp-patient-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpPatientView, name)
  BIND (stack);
  BIND (error_page);
  BIND (name_label);
  BIND (mrn_label);
  BIND (dob_label);
  BIND (email_label);
  BIND (phone_label);
  BIND (address_label);
  BIND (language_label);
  BIND (balance_label);
  BIND (balance_caption);
  BIND (invoices_list);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_cb);
}

static void
cp_patient_view_init (CpPatientView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cp_patient_view_new (void)
{
  return g_object_new (CP_TYPE_PATIENT_VIEW, NULL);
}

void
cp_patient_view_set_store (CpPatientView *self,
                           CpStore       *store)
{
  g_return_if_fail (CP_IS_PATIENT_VIEW (self));

  if (g_set_object (&self->store, store))
    {
      self->patient_id = 0;
      g_clear_pointer (&self->patient, cp_patient_free);
      cp_patient_view_reload (self);
    }
}

void
cp_patient_view_show_patient (CpPatientView *self,
                              gint64         patient_id)
{
  g_return_if_fail (CP_IS_PATIENT_VIEW (self));

  self->patient_id = patient_id;
  cp_patient_view_reload (self);
}

gint64
cp_patient_view_get_patient_id (CpPatientView *self)
{
  g_return_val_if_fail (CP_IS_PATIENT_VIEW (self), 0);

  return self->patient_id;
}

const CpPatient *
cp_patient_view_get_patient (CpPatientView *self)
{
  g_return_val_if_fail (CP_IS_PATIENT_VIEW (self), NULL);

  return self->patient;
}

gboolean
cp_patient_view_get_loading (CpPatientView *self)
{
  g_return_val_if_fail (CP_IS_PATIENT_VIEW (self), FALSE);

  return self->loading;
}

guint
cp_patient_view_get_n_invoices (CpPatientView *self)
{
  g_return_val_if_fail (CP_IS_PATIENT_VIEW (self), 0);

  return self->invoices ? self->invoices->len : 0;
}

gint64
cp_patient_view_get_balance (CpPatientView *self)
{
  g_return_val_if_fail (CP_IS_PATIENT_VIEW (self), 0);

  return self->balance;
}
