/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-line-item-editor.h"
#include "cp-money.h"
#include "cp-new-invoice-dialog.h"

#define MAX_PATIENT_MATCHES 8

struct _CpNewInvoiceDialog
{
  AdwWindow   parent_instance;

  CpStore    *store;
  gint64      staff_id;
  CpPatient  *patient;
  GPtrArray  *matches;       /* CpPatient shown in patient_list */
  gint64      created_id;

  /* The patient search runs in a worker; a newer one cancels it. */
  GCancellable *search_cancellable;  /* while a search runs */
  char         *search_text;      /* what the rows shown, or being found, are for */
  gboolean      pick_when_found;  /* Enter came before the rows */
  gboolean      saving;

  GtkSearchEntry *patient_search;
  GtkListBox     *patient_list;
  GtkLabel       *patient_label;
  GtkLabel       *patient_error;
  GtkEntry       *issue_entry;
  GtkLabel       *issue_error;
  GtkEntry       *due_entry;
  GtkLabel       *due_error;
  GtkEntry       *currency_entry;
  GtkLabel       *currency_error;
  GtkEntry       *tax_entry;
  GtkLabel       *tax_error;
  GtkEntry       *notes_entry;
  GtkBox         *items_box;
  GtkLabel       *total_label;
  GtkLabel       *form_error;
};

G_DEFINE_FINAL_TYPE (CpNewInvoiceDialog, cp_new_invoice_dialog, ADW_TYPE_WINDOW)

enum {
  INVOICE_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_field_error (GtkWidget  *entry,
                 GtkLabel   *label,
                 const char *message)
{
  gtk_label_set_text (label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
  if (entry == NULL)
    return;
  if (message != NULL)
    gtk_widget_add_css_class (entry, "error");
  else
    gtk_widget_remove_css_class (entry, "error");
}

static char *
entry_text (GtkEntry *entry)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
}

static char *
currency_code (CpNewInvoiceDialog *self)
{
  g_autofree char *text = entry_text (self->currency_entry);

  return g_ascii_strup (text, -1);
}

/* "8.25" (percent, at most two decimals, the locale's decimal separator)
 * to 825 basis points; empty is no tax. */
static gboolean
parse_tax_rate (const char *text,
                int        *out_bp)
{
  guint bp = 0;

  if (*text != '\0' && !cp_percent_bp_parse (text, &bp))
    return FALSE;
  *out_bp = (int) bp;
  return TRUE;
}

static void
update_total (CpNewInvoiceDialog *self)
{
  g_autofree char *currency = currency_code (self);
  g_autofree char *tax_text = entry_text (self->tax_entry);
  gint64 subtotal = 0, tax = 0, total = 0;
  int bp = 0;
  gboolean ok = cp_currency_is_known (currency) && parse_tax_rate (tax_text, &bp);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->items_box));
       ok && child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      gint64 amount;

      ok = cp_line_item_editor_peek_amount (CP_LINE_ITEM_EDITOR (child), currency, &amount) &&
           cp_money_add (subtotal, amount, &subtotal, NULL);
    }
  ok = ok && cp_money_apply_rate_bp (subtotal, bp, &tax, NULL) &&
       cp_money_add (subtotal, tax, &total, NULL);

  if (ok)
    {
      g_autofree char *money = cp_money_format (total, currency);
      g_autofree char *text = g_strdup_printf (_("Total %s"), money);

      gtk_label_set_text (self->total_label, text);
    }
  else
    gtk_label_set_text (self->total_label, _("Total —"));
}

static void
update_removable (CpNewInvoiceDialog *self)
{
  GtkWidget *first = gtk_widget_get_first_child (GTK_WIDGET (self->items_box));
  gboolean several = first != NULL && gtk_widget_get_next_sibling (first) != NULL;

  for (GtkWidget *child = first; child != NULL; child = gtk_widget_get_next_sibling (child))
    cp_line_item_editor_set_removable (CP_LINE_ITEM_EDITOR (child), several);
}

static void
remove_item_cb (CpLineItemEditor   *editor,
                CpNewInvoiceDialog *self)
{
  gtk_box_remove (self->items_box, GTK_WIDGET (editor));
  update_removable (self);
  update_total (self);
}

GtkWidget *
cp_new_invoice_dialog_add_line_item (CpNewInvoiceDialog *self)
{
  g_autofree char *date = entry_text (self->issue_entry);
  GtkWidget *editor;

  g_return_val_if_fail (CP_IS_NEW_INVOICE_DIALOG (self), NULL);

  editor = cp_line_item_editor_new (cp_date_is_valid (date) ? date : NULL);
  g_signal_connect_object (editor, "changed", G_CALLBACK (update_total), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (editor, "remove", G_CALLBACK (remove_item_cb), self, 0);
  gtk_box_append (self->items_box, editor);
  update_removable (self);
  update_total (self);
  return editor;
}

static void
add_item_cb (CpNewInvoiceDialog *self)
{
  GtkWidget *editor = cp_new_invoice_dialog_add_line_item (self);

  cp_line_item_editor_focus (CP_LINE_ITEM_EDITOR (editor));
}

/* Patients */

static void
show_patient (CpNewInvoiceDialog *self)
{
  if (self->patient != NULL)
    {
      g_autofree char *name = cp_patient_display_name (self->patient);
      g_autofree char *text = g_strdup_printf (_("%s · %s"), name, self->patient->mrn);

      gtk_label_set_text (self->patient_label, text);
      gtk_widget_remove_css_class (GTK_WIDGET (self->patient_label), "dim-label");
      set_field_error (NULL, self->patient_error, NULL);
    }
  else
    {
      gtk_label_set_text (self->patient_label, _("No patient chosen"));
      gtk_widget_add_css_class (GTK_WIDGET (self->patient_label), "dim-label");
    }
}

void
cp_new_invoice_dialog_set_patient (CpNewInvoiceDialog *self,
                                   const CpPatient    *patient)
{
  g_return_if_fail (CP_IS_NEW_INVOICE_DIALOG (self));

  g_clear_pointer (&self->patient, cp_patient_free);
  self->patient = cp_patient_copy (patient);
  show_patient (self);
}

static void
clear_patient_rows (CpNewInvoiceDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->patient_list))) != NULL)
    gtk_list_box_remove (self->patient_list, child);
  g_clear_pointer (&self->matches, g_ptr_array_unref);
}

/* A row that is not a patient: "no match", "more match". */
static void
append_note_row (CpNewInvoiceDialog *self,
                 const char         *text)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "dim-label");
  g_object_set_data (G_OBJECT (row), "index", GUINT_TO_POINTER (G_MAXUINT));
  gtk_list_box_append (self->patient_list, row);
}

static void
show_matches (CpNewInvoiceDialog *self,
              GPtrArray          *matches)
{
  clear_patient_rows (self);
  self->matches = g_ptr_array_ref (matches);

  for (guint i = 0; i < matches->len && i < MAX_PATIENT_MATCHES; i++)
    {
      const CpPatient *p = g_ptr_array_index (matches, i);
      g_autofree char *name = cp_patient_display_name (p);
      g_autofree char *subtitle = g_strdup_printf (_("%s · born %s"), p->mrn,
                                                   p->date_of_birth ? p->date_of_birth : "—");
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "index", GUINT_TO_POINTER (i));
      gtk_list_box_append (self->patient_list, row);
    }

  if (matches->len == 0)
    append_note_row (self, _("No patient matches"));
  else if (matches->len > MAX_PATIENT_MATCHES)
    append_note_row (self, _("More patients match: type more of the name, or the MRN"));
  gtk_widget_set_visible (GTK_WIDGET (self->patient_list), TRUE);
}

static void pick_first_match (CpNewInvoiceDialog *self);

static void
patients_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) matches = cp_store_list_patients_finish (CP_STORE (source), result, &error);
  CpNewInvoiceDialog *self;

  /* A newer search, or the dialog gone: nothing here is ours any more. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CP_NEW_INVOICE_DIALOG (user_data);
  g_clear_object (&self->search_cancellable);
  if (matches == NULL)
    {
      self->pick_when_found = FALSE;
      clear_patient_rows (self);
      set_field_error (GTK_WIDGET (self->patient_search), self->patient_error, error->message);
      return;
    }
  set_field_error (GTK_WIDGET (self->patient_search), self->patient_error, NULL);
  show_matches (self, matches);
  if (self->pick_when_found)
    pick_first_match (self);
}

/* As people type (GtkSearchEntry waits for a pause): at most one screenful
 * and one more, so that a single letter does not fetch 30,000 patients. */
static void
patient_search_cb (CpNewInvoiceDialog *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->patient_search))));

  if (g_strcmp0 (text, self->search_text) == 0)
    return;
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_free (self->search_text);
  self->search_text = g_steal_pointer (&text);

  if (*self->search_text == '\0' || self->store == NULL)
    {
      self->pick_when_found = FALSE;
      clear_patient_rows (self);
      gtk_widget_set_visible (GTK_WIDGET (self->patient_list), FALSE);
      return;
    }

  self->search_cancellable = g_cancellable_new ();
  cp_store_list_patients_async (self->store, self->search_text, MAX_PATIENT_MATCHES + 1,
                                self->search_cancellable, patients_found_cb, self);
}

static void
patient_activated_cb (CpNewInvoiceDialog *self,
                      GtkListBoxRow      *row)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "index"));

  if (self->matches == NULL || index >= self->matches->len || index >= MAX_PATIENT_MATCHES)
    return;
  cp_new_invoice_dialog_set_patient (self, g_ptr_array_index (self->matches, index));
  gtk_editable_set_text (GTK_EDITABLE (self->patient_search), "");
  patient_search_cb (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->issue_entry));
}

static void
pick_first_match (CpNewInvoiceDialog *self)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->patient_list, 0);

  self->pick_when_found = FALSE;
  if (first != NULL)
    patient_activated_cb (self, first);
}

/* Enter picks the first match; typed (or scanned from a wristband) faster
 * than the search, it picks the first match of what was typed once found. */
static void
patient_search_activate_cb (CpNewInvoiceDialog *self)
{
  patient_search_cb (self);
  if (self->search_cancellable != NULL)
    self->pick_when_found = TRUE;
  else
    pick_first_match (self);
}

void
cp_new_invoice_dialog_set_patient_search (CpNewInvoiceDialog *self,
                                          const char         *text)
{
  g_return_if_fail (CP_IS_NEW_INVOICE_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->patient_search), text);
  patient_search_cb (self);
}

gboolean
cp_new_invoice_dialog_get_searching (CpNewInvoiceDialog *self)
{
  g_return_val_if_fail (CP_IS_NEW_INVOICE_DIALOG (self), FALSE);

  return self->search_cancellable != NULL;
}

guint
cp_new_invoice_dialog_get_n_patient_matches (CpNewInvoiceDialog *self)
{
  g_return_val_if_fail (CP_IS_NEW_INVOICE_DIALOG (self), 0);

  return self->matches ? self->matches->len : 0;
}

/* Creating */

static void
show_form_error (CpNewInvoiceDialog *self,
                 const char         *message)
{
  set_field_error (NULL, self->form_error, message);
}

/* The save runs in a worker: numbering and writing wait for the store's
 * integrity check after start-up, or for another program's write. */
typedef struct {
  CpStore   *store;
  gint64     staff_id;
  CpInvoice *invoice;
} SaveData;

static SaveData *
save_data_new (CpStore   *store,
               gint64     staff_id,
               CpInvoice *invoice)
{
  SaveData *data = g_new0 (SaveData, 1);

  data->store = g_object_ref (store);
  data->staff_id = staff_id;
  data->invoice = invoice;
  return data;
}

static void
save_data_free (SaveData *data)
{
  g_object_unref (data->store);
  cp_invoice_free (data->invoice);
  g_free (data);
}

static void
save_invoice_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  SaveData *data = task_data;
  CpInvoice *invoice = data->invoice;
  g_autoptr(GError) error = NULL;
  g_autofree char *details = NULL;
  g_autofree char *total = NULL;

  invoice->number = cp_store_next_invoice_number (data->store, &error);
  if (invoice->number == NULL || !cp_store_create_invoice (data->store, invoice, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  total = cp_money_format_plain (invoice->total, invoice->currency);
  details = g_strdup_printf ("patient=%" G_GINT64_FORMAT " total=%s %s items=%u",
                             invoice->patient->id, total, invoice->currency,
                             invoice->line_items->len);
  if (!cp_store_audit_append (data->store, data->staff_id, "invoice.create", invoice->number,
                              details, &error))
    g_warning ("Invoice %s created but not audited: %s", invoice->number, error->message);
  g_task_return_int (task, invoice->id);
}

static void
invoice_saved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CpNewInvoiceDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = g_task_propagate_int (G_TASK (result), &error);

  self->saving = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.create", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.cancel", TRUE);
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The invoice was not saved: %s"), error->message);

      show_form_error (self, message);
      return;
    }
  self->created_id = id;
  g_signal_emit (self, signals[INVOICE_CREATED], 0, id);
  gtk_window_close (GTK_WINDOW (self));
}

gboolean
cp_new_invoice_dialog_create (CpNewInvoiceDialog *self)
{
  g_autofree char *issue = entry_text (self->issue_entry);
  g_autofree char *due = entry_text (self->due_entry);
  g_autofree char *currency = currency_code (self);
  g_autofree char *tax_text = entry_text (self->tax_entry);
  g_autofree char *notes = entry_text (self->notes_entry);
  g_autoptr(CpInvoice) invoice = NULL;
  g_autoptr(GTask) task = NULL;
  gboolean ok = TRUE;
  int bp = 0;
  guint n_items = 0;

  g_return_val_if_fail (CP_IS_NEW_INVOICE_DIALOG (self), FALSE);

  if (self->saving)
    return FALSE;
  show_form_error (self, NULL);
  invoice = cp_invoice_new ();

  if (self->patient == NULL)
    {
      set_field_error (GTK_WIDGET (self->patient_search), self->patient_error,
                       _("Choose the patient: search by name or MRN."));
      ok = FALSE;
    }

  if (!cp_date_is_valid (issue))
    {
      set_field_error (GTK_WIDGET (self->issue_entry), self->issue_error,
                       _("Use a date such as 2026-11-22."));
      ok = FALSE;
    }
  else
    set_field_error (GTK_WIDGET (self->issue_entry), self->issue_error, NULL);

  if (!cp_date_is_valid (due))
    {
      set_field_error (GTK_WIDGET (self->due_entry), self->due_error,
                       _("Use a date such as 2026-12-22."));
      ok = FALSE;
    }
  else if (cp_date_is_valid (issue) && g_strcmp0 (due, issue) < 0)
    {
      set_field_error (GTK_WIDGET (self->due_entry), self->due_error,
                       _("The due date cannot be before the issue date."));
      ok = FALSE;
    }
  else
    set_field_error (GTK_WIDGET (self->due_entry), self->due_error, NULL);

  if (!cp_currency_is_known (currency))
    {
      set_field_error (GTK_WIDGET (self->currency_entry), self->currency_error,
                       _("Use a currency code such as USD or EUR."));
      ok = FALSE;
    }
  else
    set_field_error (GTK_WIDGET (self->currency_entry), self->currency_error, NULL);

  if (!parse_tax_rate (tax_text, &bp))
    {
      set_field_error (GTK_WIDGET (self->tax_entry), self->tax_error,
                       _("Enter a percentage from 0 to 100, e.g. 8.25."));
      ok = FALSE;
    }
  else
    set_field_error (GTK_WIDGET (self->tax_entry), self->tax_error, NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->items_box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      /* Every editor validates, so that every bad field shows its message at once. */
      CpLineItem *item = cp_line_item_editor_validate (CP_LINE_ITEM_EDITOR (child),
                                                       cp_currency_is_known (currency) ? currency : "USD");

      if (item == NULL)
        ok = FALSE;
      else
        {
          if (item->service_date == NULL && cp_date_is_valid (issue))
            item->service_date = g_strdup (issue);
          g_ptr_array_add (invoice->line_items, item);
        }
      n_items++;
    }
  if (n_items == 0)
    {
      show_form_error (self, _("Add at least one service."));
      ok = FALSE;
    }

  if (!ok)
    {
      if (gtk_label_get_text (self->form_error)[0] == '\0')
        show_form_error (self, _("Correct the highlighted fields."));
      return FALSE;
    }

  invoice->patient = cp_patient_copy (self->patient);
  invoice->issue_date = g_steal_pointer (&issue);
  invoice->due_date = g_steal_pointer (&due);
  invoice->currency = g_strdup (currency);
  invoice->tax_rate_bp = bp;
  invoice->notes = *notes != '\0' ? g_steal_pointer (&notes) : NULL;
  self->saving = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.create", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.cancel", FALSE);
  task = g_task_new (self->store, NULL, invoice_saved_cb, g_object_ref (self));
  g_task_set_source_tag (task, cp_new_invoice_dialog_create);
  g_task_set_task_data (task, save_data_new (self->store, self->staff_id, g_steal_pointer (&invoice)),
                        (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_invoice_thread);
  return TRUE;
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  cp_new_invoice_dialog_create (CP_NEW_INVOICE_DIALOG (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
issue_changed_cb (CpNewInvoiceDialog *self)
{
  update_total (self);
}

/* A save under way ends the dialog itself (or reports why it could not). */
static gboolean
cp_new_invoice_dialog_close_request (GtkWindow *window)
{
  GtkWindowClass *parent_class = GTK_WINDOW_CLASS (cp_new_invoice_dialog_parent_class);

  if (CP_NEW_INVOICE_DIALOG (window)->saving)
    return TRUE;
  return parent_class->close_request != NULL && parent_class->close_request (window);
}

static void
cp_new_invoice_dialog_dispose (GObject *object)
{
  CpNewInvoiceDialog *self = CP_NEW_INVOICE_DIALOG (object);

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);

  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_NEW_INVOICE_DIALOG);

  G_OBJECT_CLASS (cp_new_invoice_dialog_parent_class)->dispose (object);
}

static void
cp_new_invoice_dialog_finalize (GObject *object)
{
  CpNewInvoiceDialog *self = CP_NEW_INVOICE_DIALOG (object);

  g_clear_pointer (&self->patient, cp_patient_free);
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  g_free (self->search_text);

  G_OBJECT_CLASS (cp_new_invoice_dialog_parent_class)->finalize (object);
}

static void
cp_new_invoice_dialog_class_init (CpNewInvoiceDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cp_new_invoice_dialog_dispose;
  object_class->finalize = cp_new_invoice_dialog_finalize;
  window_class->close_request = cp_new_invoice_dialog_close_request;

  signals[INVOICE_CREATED] = g_signal_new ("invoice-created", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/cp-new-invoice-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpNewInvoiceDialog, name)
  BIND (patient_search);
  BIND (patient_list);
  BIND (patient_label);
  BIND (patient_error);
  BIND (issue_entry);
  BIND (issue_error);
  BIND (due_entry);
  BIND (due_error);
  BIND (currency_entry);
  BIND (currency_error);
  BIND (tax_entry);
  BIND (tax_error);
  BIND (notes_entry);
  BIND (items_box);
  BIND (total_label);
  BIND (form_error);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, patient_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, patient_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, patient_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_item_cb);
  gtk_widget_class_bind_template_callback (widget_class, issue_changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.create", NULL, create_action);
  gtk_widget_class_install_action (widget_class, "dialog.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "dialog.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "dialog.create", NULL);
}

static void
cp_new_invoice_dialog_init (CpNewInvoiceDialog *self)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *today = cp_today ();
  g_autofree char *currency = g_settings_get_string (settings, "currency");
  g_autofree char *tax = NULL;
  g_autofree char *due = NULL;
  guint terms = g_settings_get_uint (settings, "payment-terms-days");
  guint bp = g_settings_get_uint (settings, "tax-rate-bp");
  GDate date;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_date_clear (&date, 1);
  g_date_set_parse (&date, today);
  if (g_date_valid (&date))
    {
      char buf[16];

      g_date_add_days (&date, terms);
      g_snprintf (buf, sizeof buf, "%04d-%02d-%02d", g_date_get_year (&date),
                  g_date_get_month (&date), g_date_get_day (&date));
      due = g_strdup (buf);
    }
  tax = cp_percent_bp_format (bp);

  gtk_editable_set_text (GTK_EDITABLE (self->issue_entry), today);
  gtk_editable_set_text (GTK_EDITABLE (self->due_entry), due ? due : today);
  gtk_editable_set_text (GTK_EDITABLE (self->currency_entry), currency);
  gtk_editable_set_text (GTK_EDITABLE (self->tax_entry), tax);
  show_patient (self);
  cp_new_invoice_dialog_add_line_item (self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->patient_search));
}

CpNewInvoiceDialog *
cp_new_invoice_dialog_new (GtkWindow *parent,
                           CpStore   *store,
                           gint64     staff_id)
{
  CpNewInvoiceDialog *self;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  self = g_object_new (CP_TYPE_NEW_INVOICE_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->store = g_object_ref (store);
  self->staff_id = staff_id;
  return self;
}

GPtrArray *
cp_new_invoice_dialog_get_line_items (CpNewInvoiceDialog *self)
{
  GPtrArray *items = g_ptr_array_new ();

  g_return_val_if_fail (CP_IS_NEW_INVOICE_DIALOG (self), items);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->items_box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    g_ptr_array_add (items, child);
  return items;
}

const char *
cp_new_invoice_dialog_get_error (CpNewInvoiceDialog *self)
{
  g_return_val_if_fail (CP_IS_NEW_INVOICE_DIALOG (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->form_error))
         ? gtk_label_get_text (self->form_error) : NULL;
}

gint64
cp_new_invoice_dialog_get_created_id (CpNewInvoiceDialog *self)
{
  g_return_val_if_fail (CP_IS_NEW_INVOICE_DIALOG (self), 0);

  return self->created_id;
}
