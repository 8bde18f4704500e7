/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-audit-window.h"

/* A row of the column view: one CpAuditEntry, owned. Private to this file. */
#define CP_TYPE_AUDIT_ROW (cp_audit_row_get_type ())
G_DECLARE_FINAL_TYPE (CpAuditRow, cp_audit_row, CP, AUDIT_ROW, GObject)

struct _CpAuditRow
{
  GObject       parent_instance;
  CpAuditEntry *entry;
};

G_DEFINE_FINAL_TYPE (CpAuditRow, cp_audit_row, G_TYPE_OBJECT)

static void
cp_audit_row_finalize (GObject *object)
{
  g_clear_pointer (&CP_AUDIT_ROW (object)->entry, cp_audit_entry_free);
  G_OBJECT_CLASS (cp_audit_row_parent_class)->finalize (object);
}

static void
cp_audit_row_class_init (CpAuditRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cp_audit_row_finalize;
}

static void
cp_audit_row_init (CpAuditRow *self)
{
}

typedef enum {
  COLUMN_TIME,
  COLUMN_STAFF,
  COLUMN_ACTION,
  COLUMN_OBJECT,
  COLUMN_DETAILS,
  N_COLUMNS
} Column;

struct _CpAuditWindow
{
  AdwWindow           parent_instance;

  CpStore            *store;
  GCancellable       *cancellable;
  GListStore         *rows;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GtkStringList      *actions;
  GtkStringList      *staff;
  gboolean            loading;
  gboolean            verifying;
  gboolean            rebuilding;

  AdwToastOverlay    *toast_overlay;
  GtkSpinner         *spinner;
  GtkDropDown        *action_dropdown;
  GtkDropDown        *staff_dropdown;
  GtkEntry           *since_entry;
  GtkSearchEntry     *search_entry;
  GtkRevealer        *verify_revealer;
  GtkLabel           *verify_label;
  GtkLabel           *problems_label;
  GtkColumnView      *column_view;
  GtkLabel           *count_label;
};

G_DEFINE_FINAL_TYPE (CpAuditWindow, cp_audit_window, ADW_TYPE_WINDOW)

static const char *
entry_staff (const CpAuditEntry *entry)
{
  if (entry->staff_username != NULL)
    return entry->staff_username;
  return entry->staff_id == 0 ? _("system") : _("unknown");
}

static const char *
entry_column (const CpAuditEntry *entry,
              Column              column)
{
  switch (column)
    {
    case COLUMN_TIME:
      return entry->at;
    case COLUMN_STAFF:
      return entry_staff (entry);
    case COLUMN_ACTION:
      return entry->action;
    case COLUMN_OBJECT:
      return entry->object;
    case COLUMN_DETAILS:
      return entry->details;
    case N_COLUMNS:
    default:
      return NULL;
    }
}

/* The selected string of a filter dropdown, NULL for position 0 ("All …"). */
static const char *
dropdown_choice (GtkDropDown *dropdown)
{
  guint pos = gtk_drop_down_get_selected (dropdown);
  GtkStringList *list = GTK_STRING_LIST (gtk_drop_down_get_model (dropdown));

  if (pos == 0 || pos == GTK_INVALID_LIST_POSITION)
    return NULL;
  return gtk_string_list_get_string (list, pos);
}

static gboolean
valid_date (const char *text)
{
  int y, m, d;
  char tail;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  return g_date_valid_dmy (d, m, y);
}

static gboolean
contains_casefold (const char *haystack,
                   const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  CpAuditWindow *self = user_data;
  const CpAuditEntry *entry = CP_AUDIT_ROW (item)->entry;
  const char *action = dropdown_choice (self->action_dropdown);
  const char *staff = dropdown_choice (self->staff_dropdown);
  const char *since = gtk_editable_get_text (GTK_EDITABLE (self->since_entry));
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (action != NULL && g_strcmp0 (entry->action, action) != 0)
    return FALSE;
  if (staff != NULL && g_strcmp0 (entry_staff (entry), staff) != 0)
    return FALSE;
  if (valid_date (since) && g_strcmp0 (entry->at, since) < 0)
    return FALSE;
  if (search[0] != '\0')
    {
      g_autofree char *needle = g_utf8_casefold (search, -1);

      if (!contains_casefold (entry->object, needle) && !contains_casefold (entry->details, needle) &&
          !contains_casefold (entry->action, needle) && !contains_casefold (entry_staff (entry), needle))
        return FALSE;
    }
  return TRUE;
}

static void
update_count (CpAuditWindow *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  g_autofree char *text = NULL;

  /* Translators: below the audit log, "12 of 40 entries" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u entry", "%u of %u entries", total),
                          shown, total);
  gtk_label_set_text (self->count_label, text);
}

static void
filters_changed (CpAuditWindow *self)
{
  const char *since;

  if (self->rebuilding)
    return;
  since = gtk_editable_get_text (GTK_EDITABLE (self->since_entry));
  if (since[0] != '\0' && !valid_date (since))
    gtk_widget_add_css_class (GTK_WIDGET (self->since_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->since_entry), "error");
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
}

static void
update_state (CpAuditWindow *self)
{
  gboolean busy = self->loading || self->verifying;

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.verify", !self->verifying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.export", !self->loading);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* Refills a filter dropdown with "All …" and the sorted distinct values,
 * keeping the current choice when it is still there. */
static void
refill_choices (GtkDropDown   *dropdown,
                GtkStringList *list,
                const char    *all_label,
                GHashTable    *values)
{
  g_autofree char *current = g_strdup (dropdown_choice (dropdown));
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (values, NULL);
  guint n_keys = g_hash_table_size (values);
  guint old_n = g_list_model_get_n_items (G_LIST_MODEL (list));
  guint selected = 0;
  g_autoptr(GPtrArray) strings = g_ptr_array_new ();

  qsort (keys, n_keys, sizeof (char *), compare_strings);
  g_ptr_array_add (strings, (gpointer) all_label);
  for (guint i = 0; i < n_keys; i++)
    g_ptr_array_add (strings, (gpointer) keys[i]);
  g_ptr_array_add (strings, NULL);
  gtk_string_list_splice (list, 0, old_n, (const char *const *) strings->pdata);
  for (guint i = 1; current != NULL && i < strings->len - 1; i++)
    if (g_strcmp0 (g_ptr_array_index (strings, i), current) == 0)
      selected = i;
  gtk_drop_down_set_selected (dropdown, selected);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *entries = cp_store_list_audit (CP_STORE (source), NULL, NULL, &error);

  if (entries == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

static void
load_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(CpAuditWindow) self = user_data;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) actions = NULL;
  g_autoptr(GHashTable) staff = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  entries = g_task_propagate_pointer (G_TASK (res), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  update_state (self);
  if (entries == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  actions = g_hash_table_new (g_str_hash, g_str_equal);
  staff = g_hash_table_new (g_str_hash, g_str_equal);
  rows = g_ptr_array_new_with_free_func (g_object_unref);
  /* Newest first: what people look for in a log. The rows take the entries. */
  g_ptr_array_set_free_func (entries, NULL);
  for (guint i = entries->len; i > 0; i--)
    {
      CpAuditRow *row = g_object_new (CP_TYPE_AUDIT_ROW, NULL);

      row->entry = g_ptr_array_index (entries, i - 1);
      if (row->entry->action != NULL)
        g_hash_table_add (actions, row->entry->action);
      g_hash_table_add (staff, (gpointer) entry_staff (row->entry));
      g_ptr_array_add (rows, row);
    }

  self->rebuilding = TRUE;
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
  refill_choices (self->action_dropdown, self->actions, _("All Actions"), actions);
  refill_choices (self->staff_dropdown, self->staff, _("All Staff"), staff);
  self->rebuilding = FALSE;
  filters_changed (self);
}

void
cp_audit_window_reload (CpAuditWindow *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_AUDIT_WINDOW (self));

  self->loading = TRUE;
  update_state (self);
  task = g_task_new (self->store, self->cancellable, load_cb, g_object_ref (self));
  g_task_set_source_tag (task, cp_audit_window_reload);
  g_task_run_in_thread (task, load_thread);
}

typedef struct {
  GPtrArray *problems;
  gint64     count;
} VerifyResult;

static void
verify_result_free (VerifyResult *result)
{
  g_clear_pointer (&result->problems, g_ptr_array_unref);
  g_free (result);
}

static void
verify_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  VerifyResult *result = g_new0 (VerifyResult, 1);

  result->problems = cp_store_audit_check (CP_STORE (source), &result->count, &error);
  if (result->problems == NULL)
    {
      verify_result_free (result);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, result, (GDestroyNotify) verify_result_free);
}

static void
verify_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(CpAuditWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  VerifyResult *result;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->verifying = FALSE;
  update_state (self);

  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_label), "error");
  if (result == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not verify the chain: %s"), error->message);

      gtk_label_set_text (self->verify_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_label), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->problems_label), FALSE);
    }
  else if (result->problems->len == 0)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Chain intact (%" PRId64 " entry)",
                                           "Chain intact (%" PRId64 " entries)",
                                           (gulong) result->count),
                              result->count);
      gtk_label_set_text (self->verify_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_label), "success");
      gtk_widget_set_visible (GTK_WIDGET (self->problems_label), FALSE);
    }
  else
    {
      g_autofree char *text = NULL;
      g_autoptr(GString) lines = g_string_new (NULL);

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Chain broken: %u problem in %" PRId64 " entries",
                                           "Chain broken: %u problems in %" PRId64 " entries",
                                           result->problems->len),
                              result->problems->len, result->count);
      for (guint i = 0; i < result->problems->len; i++)
        {
          CpAuditProblem *problem = g_ptr_array_index (result->problems, i);

          if (i > 0)
            g_string_append_c (lines, '\n');
          /* Translators: one problem of the audit chain, "Entry 4: ..." */
          g_string_append_printf (lines, _("Entry %" PRId64 ": %s"), problem->entry_id,
                                  problem->message);
        }
      gtk_label_set_text (self->verify_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_label), "error");
      gtk_label_set_text (self->problems_label, lines->str);
      gtk_widget_set_visible (GTK_WIDGET (self->problems_label), TRUE);
    }
  gtk_revealer_set_reveal_child (self->verify_revealer, TRUE);
  g_clear_pointer (&result, verify_result_free);
}

static void
verify_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CpAuditWindow *self = CP_AUDIT_WINDOW (widget);
  g_autoptr(GTask) task = NULL;

  if (self->verifying)
    return;
  self->verifying = TRUE;
  gtk_label_set_text (self->verify_label, _("Verifying the chain…"));
  gtk_widget_set_visible (GTK_WIDGET (self->problems_label), FALSE);
  gtk_revealer_set_reveal_child (self->verify_revealer, TRUE);
  update_state (self);
  task = g_task_new (self->store, self->cancellable, verify_cb, g_object_ref (self));
  g_task_set_source_tag (task, verify_action);
  g_task_run_in_thread (task, verify_thread);
}

static void
append_csv_field (GString    *out,
                  const char *value)
{
  if (value == NULL)
    return;
  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (out, value);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

gboolean
cp_audit_window_export_csv (CpAuditWindow  *self,
                            GFile          *file,
                            GError        **error)
{
  g_autoptr(GString) out = g_string_new ("id,time,staff,action,object,details\r\n");
  guint n;

  g_return_val_if_fail (CP_IS_AUDIT_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpAuditRow) row = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

      g_string_append_printf (out, "%" G_GINT64_FORMAT, row->entry->id);
      for (Column c = COLUMN_TIME; c < N_COLUMNS; c++)
        {
          g_string_append_c (out, ',');
          append_csv_field (out, entry_column (row->entry, c));
        }
      g_string_append (out, "\r\n");
    }
  return g_file_replace_contents (file, out->str, out->len, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                  NULL, NULL, error);
}

static void
export_response_cb (GtkNativeDialog *native,
                    int              response,
                    gpointer         user_data)
{
  CpAuditWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autoptr(GError) error = NULL;

      if (file != NULL && !cp_audit_window_export_csv (self, file, &error))
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      else if (file != NULL)
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Audit log exported")));
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CpAuditWindow *self = CP_AUDIT_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Export Audit Log"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("CSV Files"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  name = g_date_time_format (now, "audit-log-%Y-%m-%d.csv");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (GPOINTER_TO_INT (user_data) == COLUMN_TIME)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  CpAuditRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  const char *text = entry_column (row->entry, GPOINTER_TO_INT (user_data));

  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text);
}

static void
add_column (CpAuditWindow *self,
            Column         column,
            const char    *title,
            gboolean       expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (self->column_view, col);
}

static void
cp_audit_window_dispose (GObject *object)
{
  CpAuditWindow *self = CP_AUDIT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_AUDIT_WINDOW);
  G_OBJECT_CLASS (cp_audit_window_parent_class)->dispose (object);
}

static void
cp_audit_window_finalize (GObject *object)
{
  CpAuditWindow *self = CP_AUDIT_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->filtered);
  g_clear_object (&self->rows);
  g_clear_object (&self->actions);
  g_clear_object (&self->staff);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (cp_audit_window_parent_class)->finalize (object);
}

static void
cp_audit_window_class_init (CpAuditWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_audit_window_dispose;
  object_class->finalize = cp_audit_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/cp-audit-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, action_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, staff_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, since_entry);
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, verify_revealer);
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, verify_label);
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, problems_label);
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, CpAuditWindow, count_label);

  gtk_widget_class_install_action (widget_class, "audit.verify", NULL, verify_action);
  gtk_widget_class_install_action (widget_class, "audit.export", NULL, export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
cp_audit_window_init (CpAuditWindow *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  const char *all_actions[] = { _("All Actions"), NULL };
  const char *all_staff[] = { _("All Staff"), NULL };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  self->rows = g_list_store_new (CP_TYPE_AUDIT_ROW);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)),
                                              GTK_FILTER (self->filter));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  add_column (self, COLUMN_TIME, _("Time"), FALSE);
  add_column (self, COLUMN_STAFF, _("Staff"), FALSE);
  add_column (self, COLUMN_ACTION, _("Action"), FALSE);
  add_column (self, COLUMN_OBJECT, _("Object"), FALSE);
  add_column (self, COLUMN_DETAILS, _("Details"), TRUE);

  self->actions = gtk_string_list_new (all_actions);
  self->staff = gtk_string_list_new (all_staff);
  gtk_drop_down_set_model (self->action_dropdown, G_LIST_MODEL (self->actions));
  gtk_drop_down_set_model (self->staff_dropdown, G_LIST_MODEL (self->staff));

  g_signal_connect_object (self->action_dropdown, "notify::selected", G_CALLBACK (filters_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->staff_dropdown, "notify::selected", G_CALLBACK (filters_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->since_entry, "changed", G_CALLBACK (filters_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (filters_changed),
                           self, G_CONNECT_SWAPPED);
  update_state (self);
  update_count (self);
}

CpAuditWindow *
cp_audit_window_new (GtkWindow *parent,
                     CpStore   *store)
{
  CpAuditWindow *self;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  self = g_object_new (CP_TYPE_AUDIT_WINDOW, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  cp_audit_window_reload (self);
  return self;
}

gboolean
cp_audit_window_get_loading (CpAuditWindow *self)
{
  g_return_val_if_fail (CP_IS_AUDIT_WINDOW (self), FALSE);
  return self->loading;
}

gboolean
cp_audit_window_get_verifying (CpAuditWindow *self)
{
  g_return_val_if_fail (CP_IS_AUDIT_WINDOW (self), FALSE);
  return self->verifying;
}

GListModel *
cp_audit_window_get_shown (CpAuditWindow *self)
{
  g_return_val_if_fail (CP_IS_AUDIT_WINDOW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

const CpAuditEntry *
cp_audit_window_get_shown_entry (CpAuditWindow *self,
                                 guint          position)
{
  g_autoptr(CpAuditRow) row = NULL;

  g_return_val_if_fail (CP_IS_AUDIT_WINDOW (self), NULL);
  row = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  return row != NULL ? row->entry : NULL;
}
