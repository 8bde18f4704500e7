/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-import.h"
#include "cp-import-dialog.h"

struct _CpImportDialog
{
  AdwWindow         parent_instance;

  CpStore          *store;
  gint64            staff_id;
  GFile            *file;
  GCancellable     *cancellable;
  gboolean          busy;
  gboolean          can_import;

  AdwActionRow     *file_row;
  GtkDropDown      *format_dropdown;
  GtkSpinner       *spinner;
  GtkLabel         *status_label;
  AdwPreferencesGroup *counts_group;
  AdwActionRow     *patients_row;
  AdwActionRow     *invoices_row;
  AdwPreferencesGroup *errors_group;
  GtkListBox       *errors_list;
};

G_DEFINE_FINAL_TYPE (CpImportDialog, cp_import_dialog, ADW_TYPE_WINDOW)

enum {
  IMPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The dropdown's positions, in the order of the .ui file. */
static const CpImportFormat dropdown_formats[] = {
  CP_IMPORT_FORMAT_AUTO,
  CP_IMPORT_FORMAT_CSV_PATIENTS,
  CP_IMPORT_FORMAT_CSV_INVOICES,
  CP_IMPORT_FORMAT_FHIR,
};

static const char *
format_label (CpImportFormat format)
{
  switch (format)
    {
    case CP_IMPORT_FORMAT_CSV_PATIENTS:
      return _("Patients CSV");
    case CP_IMPORT_FORMAT_CSV_INVOICES:
      return _("Invoices CSV");
    case CP_IMPORT_FORMAT_FHIR:
      return _("FHIR JSON or NDJSON");
    case CP_IMPORT_FORMAT_AUTO:
    default:
      return _("Unknown");
    }
}

static void
update_state (CpImportDialog *self)
{
  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.run", self->can_import && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose", !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->format_dropdown), !self->busy);
}

static void
clear_errors (CpImportDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->errors_list))) != NULL)
    gtk_list_box_remove (self->errors_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->errors_group), FALSE);
}

static void
show_errors (CpImportDialog *self,
             CpImportResult *result,
             const GError   *error)
{
  g_autofree char *title = NULL;

  clear_errors (self);
  if (result != NULL && result->errors != NULL)
    for (guint i = 0; i < result->errors->len; i++)
      {
        GtkWidget *label = gtk_label_new (g_ptr_array_index (result->errors, i));

        gtk_label_set_selectable (GTK_LABEL (label), TRUE);
        gtk_label_set_wrap (GTK_LABEL (label), TRUE);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_widget_set_margin_top (label, 8);
        gtk_widget_set_margin_bottom (label, 8);
        gtk_widget_set_margin_start (label, 12);
        gtk_widget_set_margin_end (label, 12);
        gtk_widget_add_css_class (label, "error-line");
        gtk_list_box_append (self->errors_list, label);
      }
  if (gtk_widget_get_first_child (GTK_WIDGET (self->errors_list)) == NULL && error != NULL)
    {
      GtkWidget *label = gtk_label_new (error->message);

      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_top (label, 8);
      gtk_widget_set_margin_bottom (label, 8);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_list_box_append (self->errors_list, label);
    }

  if (result != NULL && result->n_errors > 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Error", "%u Errors", result->n_errors),
                             result->n_errors);
  else
    title = g_strdup (_("Errors"));
  adw_preferences_group_set_title (self->errors_group, title);
  gtk_widget_set_visible (GTK_WIDGET (self->errors_group),
                          gtk_widget_get_first_child (GTK_WIDGET (self->errors_list)) != NULL);
}

static void
show_counts (CpImportDialog *self,
             CpImportResult *result,
             gboolean        done)
{
  g_autofree char *patients = NULL;
  g_autofree char *invoices = NULL;

  /* Translators: counts in the import preview, "3 new, 1 updated" */
  patients = g_strdup_printf (_("%u new, %u updated"), result->patients_created, result->patients_updated);
  invoices = g_strdup_printf (_("%u new, %u updated, %u line items"),
                              result->invoices_created, result->invoices_updated, result->line_items);
  adw_action_row_set_subtitle (self->patients_row, patients);
  adw_action_row_set_subtitle (self->invoices_row, invoices);
  adw_preferences_group_set_title (self->counts_group, done ? _("Imported") : _("Preview"));
  gtk_widget_set_visible (GTK_WIDGET (self->counts_group), TRUE);
}

static void
dry_run_cb (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autoptr(CpImportDialog) self = user_data;
  g_autoptr(CpImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  gboolean ok;

  ok = cp_import_file_finish (CP_STORE (source), res, &result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;
  self->can_import = ok;
  if (ok)
    {
      show_counts (self, result, FALSE);
      clear_errors (self);
      status = g_strdup_printf (_("%s, no errors. Nothing is written until you import."),
                                format_label (result->format));
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->counts_group), FALSE);
      show_errors (self, result, error);
      status = g_strdup (_("This file cannot be imported as it is."));
    }
  gtk_label_set_text (self->status_label, status);
  update_state (self);
}

static void
start_preview (CpImportDialog *self)
{
  g_autofree char *path = NULL;
  guint pos;

  if (self->file == NULL || self->store == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  pos = gtk_drop_down_get_selected (self->format_dropdown);
  if (pos >= G_N_ELEMENTS (dropdown_formats))
    pos = 0;

  path = g_file_get_path (self->file);
  self->busy = TRUE;
  self->can_import = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->counts_group), FALSE);
  clear_errors (self);
  gtk_label_set_text (self->status_label, _("Checking the file…"));
  update_state (self);
  cp_import_file_async (self->store, path, dropdown_formats[pos], CP_IMPORT_DRY_RUN, self->staff_id,
                        self->cancellable, dry_run_cb, g_object_ref (self));
}

static void
import_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(CpImportDialog) self = user_data;
  g_autoptr(CpImportResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!cp_import_file_finish (CP_STORE (source), res, &result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->busy = FALSE;
      self->can_import = FALSE;
      show_errors (self, result, error);
      gtk_label_set_text (self->status_label, _("Nothing was imported."));
      update_state (self);
      return;
    }

  self->busy = FALSE;
  self->can_import = FALSE;
  show_counts (self, result, TRUE);
  gtk_label_set_text (self->status_label, _("Imported."));
  update_state (self);
  g_signal_emit (self, signals[IMPORTED], 0);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  CpImportDialog *self = CP_IMPORT_DIALOG (widget);
  g_autofree char *path = NULL;
  guint pos;

  if (!self->can_import || self->busy || self->file == NULL)
    return;

  pos = gtk_drop_down_get_selected (self->format_dropdown);
  if (pos >= G_N_ELEMENTS (dropdown_formats))
    pos = 0;
  path = g_file_get_path (self->file);
  self->busy = TRUE;
  gtk_label_set_text (self->status_label, _("Importing…"));
  update_state (self);
  cp_import_file_async (self->store, path, dropdown_formats[pos], CP_IMPORT_FLAGS_NONE, self->staff_id,
                        self->cancellable, import_cb, g_object_ref (self));
}

static void
chooser_response_cb (GtkNativeDialog *native,
                     int              response,
                     gpointer         user_data)
{
  CpImportDialog *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        cp_import_dialog_set_file (self, file);
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *const *patterns)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CpImportDialog *self = CP_IMPORT_DIALOG (widget);
  static const char *const all[] = { "*.csv", "*.CSV", "*.json", "*.JSON", "*.ndjson", "*.NDJSON", NULL };
  static const char *const csv[] = { "*.csv", "*.CSV", NULL };
  static const char *const json[] = { "*.json", "*.JSON", NULL };
  static const char *const ndjson[] = { "*.ndjson", "*.NDJSON", NULL };
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Choose a File to Import"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  add_filter (GTK_FILE_CHOOSER (native), _("All Importable Files"), all);
  add_filter (GTK_FILE_CHOOSER (native), _("CSV Files"), csv);
  add_filter (GTK_FILE_CHOOSER (native), _("FHIR JSON Files"), json);
  add_filter (GTK_FILE_CHOOSER (native), _("FHIR NDJSON Files"), ndjson);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
format_changed_cb (CpImportDialog *self)
{
  start_preview (self);
}

static void
cp_import_dialog_dispose (GObject *object)
{
  CpImportDialog *self = CP_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_IMPORT_DIALOG);
  G_OBJECT_CLASS (cp_import_dialog_parent_class)->dispose (object);
}

static void
cp_import_dialog_finalize (GObject *object)
{
  CpImportDialog *self = CP_IMPORT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->file);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (cp_import_dialog_parent_class)->finalize (object);
}

static void
cp_import_dialog_class_init (CpImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_import_dialog_dispose;
  object_class->finalize = cp_import_dialog_finalize;

  signals[IMPORTED] = g_signal_new ("imported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/cp-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CpImportDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, CpImportDialog, format_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpImportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, CpImportDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, CpImportDialog, counts_group);
  gtk_widget_class_bind_template_child (widget_class, CpImportDialog, patients_row);
  gtk_widget_class_bind_template_child (widget_class, CpImportDialog, invoices_row);
  gtk_widget_class_bind_template_child (widget_class, CpImportDialog, errors_group);
  gtk_widget_class_bind_template_child (widget_class, CpImportDialog, errors_list);

  gtk_widget_class_install_action (widget_class, "import.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "import.choose", NULL, choose_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cp_import_dialog_init (CpImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->format_dropdown, "notify::selected",
                           G_CALLBACK (format_changed_cb), self, G_CONNECT_SWAPPED);
  update_state (self);
}

CpImportDialog *
cp_import_dialog_new (GtkWindow *parent,
                      CpStore   *store,
                      gint64     staff_id)
{
  CpImportDialog *self;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  self = g_object_new (CP_TYPE_IMPORT_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->staff_id = staff_id;
  return self;
}

void
cp_import_dialog_set_file (CpImportDialog *self,
                           GFile          *file)
{
  g_autofree char *name = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GFile) parent = NULL;

  g_return_if_fail (CP_IS_IMPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  g_set_object (&self->file, file);
  name = g_file_get_basename (file);
  parent = g_file_get_parent (file);
  dir = parent != NULL ? g_file_get_parse_name (parent) : g_strdup ("");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), name);
  adw_action_row_set_subtitle (self->file_row, dir);
  start_preview (self);
}

gboolean
cp_import_dialog_get_busy (CpImportDialog *self)
{
  g_return_val_if_fail (CP_IS_IMPORT_DIALOG (self), FALSE);
  return self->busy;
}

gboolean
cp_import_dialog_get_can_import (CpImportDialog *self)
{
  g_return_val_if_fail (CP_IS_IMPORT_DIALOG (self), FALSE);
  return self->can_import && !self->busy;
}
