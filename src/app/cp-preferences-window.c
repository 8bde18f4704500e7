/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-preferences-window.h"
#include "cp-smtp-secret.h"
#include "cp-staff-page.h"
#include "cp-stripe-client.h"

#define MODE_SIMULATOR 0
#define MODE_TEST      1
#define MODE_LIVE      2

struct _CpPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  CpStore              *store;
  CpStaff              *staff;
  CpStripeConfig       *running_config;
  CpStripeConfig       *saved_keys;     /* what the keyring holds, for Test Connection */
  GCancellable         *cancellable;
  GHashTable           *errors;         /* row → its error label */
  GtkFileChooserNative *chooser;
  AdwMessageDialog     *dialog;         /* weak */
  guint                 busy;
  gboolean              updating;       /* combo rows set from code, not by people */

  AdwPreferencesPage   *hospital_page;
  AdwPreferencesPage   *payments_page;
  AdwPreferencesPage   *kiosk_page;
  AdwPreferencesPage   *email_page;
  AdwPreferencesGroup  *hospital_group;
  AdwEntryRow          *name_row;
  AdwActionRow         *logo_row;
  GtkWidget            *logo_clear_button;
  GtkTextView          *address_view;
  GtkWidget            *address_save_button;
  AdwComboRow          *currency_row;
  GtkStringList        *currency_list;
  AdwEntryRow          *tax_row;
  AdwEntryRow          *terms_row;
  AdwComboRow          *mode_row;
  AdwEntryRow          *secret_row;
  AdwEntryRow          *publishable_row;
  AdwEntryRow          *webhook_row;
  AdwActionRow         *saved_keys_row;
  AdwActionRow         *connection_row;
  GtkSpinner           *connection_spinner;
  GtkWidget            *test_button;
  AdwEntryRow          *interval_row;
  AdwEntryRow          *port_row;
  AdwEntryRow          *idle_row;
  AdwEntryRow          *minimum_row;
  AdwEntryRow          *smtp_host_row;
  AdwEntryRow          *smtp_port_row;
  AdwComboRow          *smtp_security_row;
  AdwEntryRow          *smtp_user_row;
  AdwEntryRow          *smtp_password_row;
  AdwEntryRow          *smtp_from_row;
  AdwEntryRow          *reminders_row;
};

G_DEFINE_FINAL_TYPE (CpPreferencesWindow, cp_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char * const currencies[] = {
  "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "SEK", "NOK", "DKK",
  "MXN", "BRL", "INR", "SGD", "HKD", "ZAR", "AED",
};

/* Audit */

static void
audit (CpPreferencesWindow *self,
       const char          *action,
       const char          *object,
       const char          *details)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;
  if (!cp_store_audit_append (self->store, self->staff ? self->staff->id : 0, action, object,
                              details, &error))
    g_warning ("Settings change not audited: %s", error->message);
}

static void
audit_setting (CpPreferencesWindow *self,
               const char          *key,
               const char          *value)
{
  g_autofree char *object = g_strdup_printf ("setting:%s", key);

  audit (self, "settings.change", object, value);
}

/* People who may not change the settings still see them. */
static void
set_read_only (CpPreferencesWindow *self)
{
  adw_preferences_group_set_description (self->hospital_group,
                                         _("Only an administrator can change these settings."));
  gtk_widget_set_sensitive (GTK_WIDGET (self->payments_page), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kiosk_page), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->email_page), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->logo_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->address_view), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->currency_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->tax_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->terms_row), FALSE);
}

/* Every setting here is an administrator's. The store has the last word and
 * audits a refusal ("settings.refused"): the account may have lost the role,
 * or been deactivated, since the window opened; the window turns read-only. */
static gboolean
may_change (CpPreferencesWindow  *self,
            const char           *object,
            GError              **error)
{
  g_autoptr(GError) local_error = NULL;

  if (self->store == NULL)
    return TRUE;
  if (cp_store_require_admin (self->store, self->staff, "settings.change", object, &local_error))
    return TRUE;
  g_debug ("Settings change refused: %s", local_error->message);
  set_read_only (self);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
may_set (CpPreferencesWindow *self,
         const char          *key)
{
  g_autofree char *object = g_strdup_printf ("setting:%s", key);

  return may_change (self, object, NULL);
}

/* Inline errors: a label under the row's group that names the problem. */

static GtkLabel *
error_label_for (CpPreferencesWindow *self,
                 GtkWidget           *row)
{
  GtkLabel *label = g_hash_table_lookup (self->errors, row);
  GtkWidget *group;

  if (label != NULL)
    return label;

  group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);
  g_assert (group != NULL);
  label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (label, 0);
  gtk_label_set_wrap (label, TRUE);
  gtk_widget_set_margin_top (GTK_WIDGET (label), 6);
  gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (label), "caption");
  gtk_widget_set_visible (GTK_WIDGET (label), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (label));
  g_hash_table_insert (self->errors, row, label);
  return label;
}

static void
set_row_error (CpPreferencesWindow *self,
               gpointer             row,
               const char          *message)
{
  GtkLabel *label;

  if (message == NULL)
    {
      label = g_hash_table_lookup (self->errors, row);
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      if (label != NULL)
        {
          gtk_label_set_text (label, "");
          gtk_widget_set_visible (GTK_WIDGET (label), FALSE);
        }
      return;
    }

  label = error_label_for (self, GTK_WIDGET (row));
  gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  gtk_label_set_text (label, message);
  gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
}

/* Parsing what people type: strict, with a message that says what to type. */

static char *
stripped_text (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

static gboolean
all_digits (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* "8.25", "8.25 %", "12", "0.5" → basis points (825, 825, 1200, 50), with
 * the locale's decimal separator as everywhere else ("8,25" in es_ES). */
gboolean
cp_parse_percent_bp (const char *text,
                     guint      *out_bp)
{
  return cp_percent_bp_parse (text, out_bp);
}

/* "-7, 0, 30" → [-7, 0, 30]: whole days in ascending order, no repeats. */
GVariant *
cp_parse_reminder_days (const char  *text,
                        GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("ai"));
  gint64 previous = G_MININT64;
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      const char *digits = part[0] == '-' ? part + 1 : part;
      gint64 day;

      if (*part == '\0' && parts[1] == NULL)
        break;
      if (!all_digits (digits) ||
          !g_ascii_string_to_signed (part, 10, -365, 3650, &day, NULL))
        {
          g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                       _("“%s” is not a number of days (from -365 to 3650)"), part);
          return NULL;
        }
      if (day <= previous)
        {
          g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                               _("List the days in ascending order, each once"));
          return NULL;
        }
      previous = day;
      g_variant_builder_add (&builder, "i", (gint32) day);
      n++;
    }
  if (n == 0 || n > 20)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("Enter from one to twenty days, separated by commas"));
      return NULL;
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static char *
format_reminder_days (GVariant *days)
{
  GString *out = g_string_new (NULL);
  gsize n = g_variant_n_children (days);

  for (gsize i = 0; i < n; i++)
    {
      gint32 day;

      g_variant_get_child (days, i, "i", &day);
      g_string_append_printf (out, "%s%d", i > 0 ? ", " : "", day);
    }
  return g_string_free (out, FALSE);
}

static void
schema_uint_range (CpPreferencesWindow *self,
                   const char          *key,
                   guint               *out_min,
                   guint               *out_max)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;
  g_autoptr(GVariant) range = NULL;
  g_autoptr(GVariant) bounds = NULL;
  const char *type;

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  schema_key = g_settings_schema_get_key (schema, key);
  range = g_settings_schema_key_get_range (schema_key);
  g_variant_get (range, "(&sv)", &type, &bounds);
  if (g_strcmp0 (type, "range") == 0)
    g_variant_get (bounds, "(uu)", out_min, out_max);
  else
    {
      *out_min = 0;
      *out_max = G_MAXUINT;
    }
}

/* Applies a whole number typed into `row` to the uint `key`, within its schema range. */
static void
apply_uint (CpPreferencesWindow *self,
            AdwEntryRow         *row,
            const char          *key,
            const char          *what)
{
  g_autofree char *text = stripped_text (row);
  g_autofree char *value = NULL;
  guint min, max;
  guint64 v;

  schema_uint_range (self, key, &min, &max);
  if (!all_digits (text) || !g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL))
    {
      g_autofree char *message = g_strdup_printf (_("%s: enter a whole number from %u to %u"),
                                                  what, min, max);
      set_row_error (self, row, message);
      return;
    }
  set_row_error (self, row, NULL);
  if (g_settings_get_uint (self->settings, key) == v || !may_set (self, key))
    return;
  g_settings_set_uint (self->settings, key, (guint) v);
  value = g_strdup_printf ("%u", (guint) v);
  audit_setting (self, key, value);
}

/* Applies non-empty text to the string `key` (`may_be_empty` allows ""). */
static void
apply_string (CpPreferencesWindow *self,
              AdwEntryRow         *row,
              const char          *key,
              gboolean             may_be_empty,
              const char          *empty_message)
{
  g_autofree char *text = stripped_text (row);
  g_autofree char *old = g_settings_get_string (self->settings, key);

  if (!may_be_empty && *text == '\0')
    {
      set_row_error (self, row, empty_message);
      return;
    }
  set_row_error (self, row, NULL);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  if (g_strcmp0 (old, text) == 0 || !may_set (self, key))
    return;
  g_settings_set_string (self->settings, key, text);
  audit_setting (self, key, text);
}

/* Hospital page */

static void
name_apply_cb (CpPreferencesWindow *self)
{
  apply_string (self, self->name_row, "hospital-name", FALSE, _("The hospital needs a name"));
}

static void
update_logo_row (CpPreferencesWindow *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "hospital-logo");

  if (*path == '\0')
    adw_action_row_set_subtitle (self->logo_row, _("None"));
  else
    adw_action_row_set_subtitle (self->logo_row, path);
  gtk_widget_set_visible (self->logo_clear_button, *path != '\0');
}

gboolean
cp_preferences_window_set_logo (CpPreferencesWindow  *self,
                                const char           *path,
                                GError              **error)
{
  g_return_val_if_fail (CP_IS_PREFERENCES_WINDOW (self), FALSE);

  if (path != NULL && *path != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInfo) info = NULL;
      const char *type;

      info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE, G_FILE_QUERY_INFO_NONE,
                                NULL, error);
      if (info == NULL)
        return FALSE;
      type = g_file_info_get_content_type (info);
      if (type == NULL || !g_content_type_is_mime_type (type, "image/*"))
        {
          g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT, _("“%s” is not an image"), path);
          return FALSE;
        }
    }
  else
    path = "";

  if (!may_change (self, "setting:hospital-logo", error))
    return FALSE;
  g_settings_set_string (self->settings, "hospital-logo", path);
  audit_setting (self, "hospital-logo", path);
  update_logo_row (self);
  return TRUE;
}

static void
chooser_response_cb (CpPreferencesWindow *self,
                     int                  response,
                     GtkNativeDialog     *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL || !cp_preferences_window_set_logo (self, path, &error))
        set_row_error (self, self->logo_row, error ? error->message : _("Choose a local file"));
      else
        set_row_error (self, self->logo_row, NULL);
    }
  g_clear_object (&self->chooser);
}

static void
logo_choose_cb (CpPreferencesWindow *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Choose the Hospital Logo"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                               _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/svg+xml");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
logo_clear_cb (CpPreferencesWindow *self)
{
  cp_preferences_window_set_logo (self, NULL, NULL);
}

static char *
address_text (CpPreferencesWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->address_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

static void
address_changed_cb (CpPreferencesWindow *self)
{
  g_autofree char *text = address_text (self);
  g_autofree char *old = g_settings_get_string (self->settings, "hospital-address");

  gtk_widget_set_sensitive (self->address_save_button, g_strcmp0 (text, old) != 0);
}

static void
address_save_cb (CpPreferencesWindow *self)
{
  g_autofree char *text = address_text (self);

  if (!may_set (self, "hospital-address"))
    return;
  g_settings_set_string (self->settings, "hospital-address", text);
  audit_setting (self, "hospital-address", text);
  gtk_widget_set_sensitive (self->address_save_button, FALSE);
}

static void
currency_changed_cb (CpPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->currency_row);
  const char *code;

  if (self->updating || selected == GTK_INVALID_LIST_POSITION)
    return;
  code = gtk_string_list_get_string (self->currency_list, selected);
  if (code == NULL)
    return;
  {
    g_autofree char *old = g_settings_get_string (self->settings, "currency");

    if (g_strcmp0 (old, code) == 0 || !may_set (self, "currency"))
      return;
  }
  g_settings_set_string (self->settings, "currency", code);
  audit_setting (self, "currency", code);
}

static void
tax_apply_cb (CpPreferencesWindow *self)
{
  g_autofree char *text = stripped_text (self->tax_row);
  g_autofree char *value = NULL;
  guint bp;

  if (!cp_parse_percent_bp (text, &bp))
    {
      set_row_error (self, self->tax_row,
                     _("Tax rate: enter a percentage from 0 to 100 with at most two decimals, like 8.25"));
      return;
    }
  set_row_error (self, self->tax_row, NULL);
  if (g_settings_get_uint (self->settings, "tax-rate-bp") == bp || !may_set (self, "tax-rate-bp"))
    return;
  g_settings_set_uint (self->settings, "tax-rate-bp", bp);
  value = g_strdup_printf ("%u", bp);
  audit_setting (self, "tax-rate-bp", value);
}

static void
terms_apply_cb (CpPreferencesWindow *self)
{
  apply_uint (self, self->terms_row, "payment-terms-days", _("Payment terms"));
}

/* Payments page: mode */

static void
select_quietly (CpPreferencesWindow *self,
                AdwComboRow         *row,
                guint                position)
{
  self->updating = TRUE;
  adw_combo_row_set_selected (row, position);
  self->updating = FALSE;
}

static void
set_mode (CpPreferencesWindow *self,
          int                  mode)
{
  static const char * const nicks[] = { "simulator", "test", "live" };

  if (!may_set (self, "stripe-mode"))
    {
      select_quietly (self, self->mode_row, g_settings_get_enum (self->settings, "stripe-mode"));
      return;
    }
  g_settings_set_enum (self->settings, "stripe-mode", mode);
  audit_setting (self, "stripe-mode", nicks[mode]);
}

static void
dialog_done (CpPreferencesWindow *self)
{
  if (self->dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
      self->dialog = NULL;
    }
}

static void
live_response_cb (AdwMessageDialog    *dialog,
                  const char          *response,
                  CpPreferencesWindow *self)
{
  dialog_done (self);
  if (g_strcmp0 (response, "live") == 0)
    set_mode (self, MODE_LIVE);
  else
    select_quietly (self, self->mode_row, g_settings_get_enum (self->settings, "stripe-mode"));
}

static void
show_dialog (CpPreferencesWindow *self,
             AdwMessageDialog    *dialog)
{
  dialog_done (self);
  self->dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* 0: no payments, or only live ones; 1: payments made with test keys or in
 * training; 2: payments from before CarePay recorded the mode. */
static void
live_check_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  CpStore *store = task_data;
  g_autofree char *mode = cp_store_get_meta (store, "stripe-mode");
  g_autoptr(GPtrArray) payments = NULL;
  GError *error = NULL;

  if (mode != NULL)
    {
      g_task_return_int (task, g_strcmp0 (mode, "live") != 0 ? 1 : 0);
      return;
    }
  payments = cp_store_list_payments (store, 0, &error);
  if (payments == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, payments->len > 0 ? 2 : 0);
}

static void
live_checked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CpPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;
  gssize verdict;

  self->busy--;
  verdict = g_task_propagate_int (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    return;

  if (error != NULL || verdict != 0)
    {
      const char *body;

      select_quietly (self, self->mode_row, g_settings_get_enum (self->settings, "stripe-mode"));
      if (error != NULL)
        body = error->message;
      else if (verdict == 1)
        body = _("This database holds payments made with test keys or in training. Test and live "
                 "money must never be mixed in one set of books, so this database stays in test "
                 "mode. To take live payments, start a new database for live mode: "
                 "carepay --db FILE with a new file.");
      else
        body = _("This database holds payments, and CarePay cannot tell whether they were test or "
                 "live payments. To take live payments, start a new database for live mode: "
                 "carepay --db FILE with a new file.");
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                           _("Live Mode Refused"), body));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      g_signal_connect_object (dialog, "response", G_CALLBACK (dialog_done), self, G_CONNECT_SWAPPED);
      show_dialog (self, dialog);
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Switch to Live Mode?"),
                                                       _("Live mode charges real cards. Every payment "
                                                         "takes real money from patients, and refunds "
                                                         "return it. Make sure the live keys are "
                                                         "saved before CarePay starts again.")));
  if (self->saved_keys != NULL && cp_stripe_config_is_test_mode (self->saved_keys))
    {
      g_autofree char *body = g_strdup_printf ("%s\n\n%s", adw_message_dialog_get_body (dialog),
                                               _("The secret key in the keyring is a test key: "
                                                 "save the live keys as well."));

      adw_message_dialog_set_body (dialog, body);
    }
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "live", _("_Use Live Keys"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "live", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (live_response_cb), self, 0);
  show_dialog (self, dialog);
}

static void
mode_changed_cb (CpPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->mode_row);
  g_autoptr(GTask) task = NULL;

  if (self->updating || selected == GTK_INVALID_LIST_POSITION ||
      (int) selected == g_settings_get_enum (self->settings, "stripe-mode"))
    return;

  if (selected != MODE_LIVE)
    {
      set_mode (self, selected);
      return;
    }

  /* Live: refused while the books hold test money, then confirmed. */
  self->busy++;
  task = g_task_new (NULL, self->cancellable, live_checked_cb, g_object_ref (self));
  g_task_set_source_tag (task, mode_changed_cb);
  if (self->store != NULL)
    {
      g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
      g_task_run_in_thread (task, live_check_thread);
    }
  else
    g_task_return_int (task, 0);
}

/* Payments page: keys in the keyring */

static const char * const key_names[] = { "secret", "publishable", "webhook" };

static void
keyring_loaded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CpPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStripeConfig) config = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *publishable = NULL;
  g_autofree char *webhook = NULL;
  g_autofree char *text = NULL;

  self->busy--;
  config = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (config == NULL)
    {
      text = g_strdup_printf (_("The keyring cannot be read: %s"), error->message);
      adw_action_row_set_subtitle (self->saved_keys_row, text);
      return;
    }
  g_set_object (&self->saved_keys, config);
  secret = cp_stripe_redact_key (cp_stripe_config_get_secret_key (config));
  publishable = cp_stripe_redact_key (cp_stripe_config_get_publishable_key (config));
  webhook = cp_stripe_redact_key (cp_stripe_config_get_webhook_secret (config));
  text = g_strdup_printf (_("Secret: %s\nPublishable: %s\nWebhook: %s"), secret, publishable, webhook);
  adw_action_row_set_subtitle (self->saved_keys_row, text);
}

static void
load_keyring_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_autoptr(CpStripeConfig) config = cp_stripe_config_new ();
  GError *error = NULL;

  if (!cp_stripe_config_load_keyring (config, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&config), g_object_unref);
}

static void
load_saved_keys (CpPreferencesWindow *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, keyring_loaded_cb, g_object_ref (self));

  self->busy++;
  g_task_set_source_tag (task, load_saved_keys);
  g_task_run_in_thread (task, load_keyring_thread);
}

typedef struct {
  CpStripeKeyKind  kind;
  char            *value;
  AdwEntryRow     *row;
} StoreKey;

static void
store_key_free (gpointer data)
{
  StoreKey *sk = data;

  if (sk->value != NULL)
    explicit_bzero (sk->value, strlen (sk->value));
  g_free (sk->value);
  g_clear_object (&sk->row);
  g_free (sk);
}

static void
store_key_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  StoreKey *sk = task_data;
  g_autoptr(CpStripeConfig) config = cp_stripe_config_new ();
  GError *error = NULL;

  if (!cp_stripe_config_store_keyring (config, sk->kind, sk->value, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
key_stored_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CpPreferencesWindow) self = user_data;
  StoreKey *sk = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *object = NULL;
  g_autofree char *redacted = NULL;

  self->busy--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_cancellable_is_cancelled (self->cancellable))
        set_row_error (self, sk->row, error->message);
      return;
    }
  object = g_strdup_printf ("keyring:stripe-%s", key_names[sk->kind]);
  redacted = cp_stripe_redact_key (sk->value);
  audit (self, "settings.secret", object, redacted);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  gtk_editable_set_text (GTK_EDITABLE (sk->row), "");
  load_saved_keys (self);
}

static void
key_apply_cb (CpPreferencesWindow *self,
              AdwEntryRow         *row)
{
  static const char * const secret_prefixes[] = { "sk_test_", "sk_live_", "rk_test_", "rk_live_", NULL };
  static const char * const publishable_prefixes[] = { "pk_test_", "pk_live_", NULL };
  static const char * const webhook_prefixes[] = { "whsec_", NULL };
  const char * const *prefixes;
  g_autofree char *text = stripped_text (row);
  g_autoptr(GTask) task = NULL;
  CpStripeKeyKind kind;
  gboolean ok = FALSE;
  StoreKey *sk;

  if (row == self->secret_row)
    kind = CP_STRIPE_KEY_SECRET, prefixes = secret_prefixes;
  else if (row == self->publishable_row)
    kind = CP_STRIPE_KEY_PUBLISHABLE, prefixes = publishable_prefixes;
  else
    kind = CP_STRIPE_KEY_WEBHOOK, prefixes = webhook_prefixes;

  for (guint i = 0; prefixes[i] != NULL; i++)
    ok |= g_str_has_prefix (text, prefixes[i]) && strlen (text) > strlen (prefixes[i]);
  if (!ok || strchr (text, ' ') != NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("This is not a Stripe %s key: it starts with %s"),
                                 key_names[kind], prefixes[0]);
      set_row_error (self, row, message);
      explicit_bzero (text, strlen (text));
      return;
    }
  set_row_error (self, row, NULL);
  {
    g_autofree char *object = g_strdup_printf ("keyring:stripe-%s-key", key_names[kind]);

    if (!may_change (self, object, NULL))
      {
        explicit_bzero (text, strlen (text));
        return;
      }
  }

  sk = g_new0 (StoreKey, 1);
  sk->kind = kind;
  sk->value = g_steal_pointer (&text);
  sk->row = g_object_ref (row);
  self->busy++;
  task = g_task_new (NULL, self->cancellable, key_stored_cb, g_object_ref (self));
  g_task_set_source_tag (task, key_apply_cb);
  g_task_set_task_data (task, sk, store_key_free);
  g_task_run_in_thread (task, store_key_thread);
}

/* Payments page: Test Connection */

static const char *
api_base_for_test (CpPreferencesWindow *self,
                   char               **to_free)
{
  const char *env = g_getenv ("CAREPAY_STRIPE_API_BASE");

  if (g_settings_get_enum (self->settings, "stripe-mode") == MODE_SIMULATOR &&
      self->running_config != NULL)
    return cp_stripe_config_get_api_base (self->running_config);
  if (env != NULL && *env != '\0')
    return env;
  *to_free = g_settings_get_string (self->settings, "stripe-api-base");
  return *to_free;
}

static void
connection_tested_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CpPreferencesWindow) self = user_data;
  CpStripeClient *client = CP_STRIPE_CLIENT (source);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  self->busy--;
  answer = cp_stripe_client_request_finish (client, result, NULL, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  gtk_spinner_stop (self->connection_spinner);
  gtk_widget_set_sensitive (self->test_button, TRUE);
  if (answer == NULL)
    {
      text = g_strdup_printf (_("Failed: %s"), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->connection_row), "error");
    }
  else
    {
      gboolean test = cp_stripe_config_is_test_mode (cp_stripe_client_get_config (client));

      text = g_strdup (test ? _("Connected: Stripe answered in test mode")
                            : _("Connected: Stripe answered in live mode"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->connection_row), "error");
    }
  adw_action_row_set_subtitle (self->connection_row, text);
}

static void
test_connection_cb (CpPreferencesWindow *self)
{
  g_autofree char *typed = stripped_text (self->secret_row);
  g_autofree char *api_base_owned = NULL;
  g_autoptr(CpStripeConfig) config = NULL;
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpStripeForm) params = NULL;
  const char *key = typed;

  /* Nothing typed: in training, the simulator's key; else the keyring's. */
  if (*key == '\0' && self->running_config != NULL &&
      g_settings_get_enum (self->settings, "stripe-mode") == MODE_SIMULATOR)
    key = cp_stripe_config_get_secret_key (self->running_config);
  else if (*key == '\0' && self->saved_keys != NULL)
    key = cp_stripe_config_get_secret_key (self->saved_keys);
  if (key == NULL || *key == '\0')
    {
      adw_action_row_set_subtitle (self->connection_row, _("Enter a secret key first"));
      gtk_widget_add_css_class (GTK_WIDGET (self->connection_row), "error");
      return;
    }

  config = cp_stripe_config_new ();
  cp_stripe_config_set_api_base (config, api_base_for_test (self, &api_base_owned));
  cp_stripe_config_set_key (config, CP_STRIPE_KEY_SECRET, key);
  client = cp_stripe_client_new (config, NULL, NULL);
  cp_stripe_client_set_max_retries (client, 0);
  cp_stripe_client_set_request_timeout (client, 15000);
  params = cp_stripe_form_new ();
  cp_stripe_form_add_int (params, "limit", 1);

  adw_action_row_set_subtitle (self->connection_row, _("Asking Stripe…"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->connection_row), "error");
  gtk_spinner_start (self->connection_spinner);
  gtk_widget_set_sensitive (self->test_button, FALSE);
  self->busy++;
  cp_stripe_client_request_async (client, "GET", "/v1/customers", params, NULL, NULL,
                                  self->cancellable, connection_tested_cb, g_object_ref (self));
}

static void
interval_apply_cb (CpPreferencesWindow *self)
{
  apply_uint (self, self->interval_row, "sync-interval", _("Poll interval"));
}

static void
port_apply_cb (CpPreferencesWindow *self)
{
  apply_uint (self, self->port_row, "webhook-port", _("Webhook port"));
}

/* Kiosk page */

static void
idle_apply_cb (CpPreferencesWindow *self)
{
  apply_uint (self, self->idle_row, "kiosk-idle-timeout", _("Idle timeout"));
}

static void
show_minimum (CpPreferencesWindow *self)
{
  g_autofree char *currency = g_settings_get_string (self->settings, "currency");
  g_autofree char *text = cp_money_format (g_settings_get_int64 (self->settings, "kiosk-minimum-payment"),
                                           currency);

  gtk_editable_set_text (GTK_EDITABLE (self->minimum_row), text);
}

static void
minimum_apply_cb (CpPreferencesWindow *self)
{
  g_autofree char *text = stripped_text (self->minimum_row);
  g_autofree char *currency = g_settings_get_string (self->settings, "currency");
  g_autofree char *value = NULL;
  g_autoptr(GError) error = NULL;
  gint64 minor;

  if (!cp_money_parse (text, currency, CP_MONEY_PARSE_DEFAULT, &minor, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Smallest partial payment: %s"), error->message);
      set_row_error (self, self->minimum_row, message);
      return;
    }
  set_row_error (self, self->minimum_row, NULL);
  show_minimum (self);
  if (g_settings_get_int64 (self->settings, "kiosk-minimum-payment") == minor ||
      !may_set (self, "kiosk-minimum-payment"))
    return;
  g_settings_set_int64 (self->settings, "kiosk-minimum-payment", minor);
  value = g_strdup_printf ("%" G_GINT64_FORMAT, minor);
  audit_setting (self, "kiosk-minimum-payment", value);
  show_minimum (self);
}

/* Email page */

static void
smtp_host_apply_cb (CpPreferencesWindow *self)
{
  g_autofree char *text = stripped_text (self->smtp_host_row);

  if (strpbrk (text, " /:@") != NULL)
    {
      set_row_error (self, self->smtp_host_row,
                     _("Mail server: enter a host name such as smtp.example.org, without a port"));
      return;
    }
  apply_string (self, self->smtp_host_row, "smtp-host", TRUE, NULL);
}

static void
smtp_port_apply_cb (CpPreferencesWindow *self)
{
  apply_uint (self, self->smtp_port_row, "smtp-port", _("Mail server port"));
}

static void
smtp_security_changed_cb (CpPreferencesWindow *self)
{
  static const char * const nicks[] = { "none", "starttls", "tls" };
  guint selected = adw_combo_row_get_selected (self->smtp_security_row);

  if (self->updating || selected >= G_N_ELEMENTS (nicks) ||
      (int) selected == g_settings_get_enum (self->settings, "smtp-security"))
    return;
  if (!may_set (self, "smtp-security"))
    {
      select_quietly (self, self->smtp_security_row, g_settings_get_enum (self->settings, "smtp-security"));
      return;
    }
  g_settings_set_enum (self->settings, "smtp-security", selected);
  audit_setting (self, "smtp-security", nicks[selected]);
}

static void
smtp_user_apply_cb (CpPreferencesWindow *self)
{
  apply_string (self, self->smtp_user_row, "smtp-username", TRUE, NULL);
}

static void
smtp_from_apply_cb (CpPreferencesWindow *self)
{
  g_autofree char *text = stripped_text (self->smtp_from_row);
  const char *at = strchr (text, '@');

  if (*text != '\0' &&
      (at == NULL || at == text || strchr (at + 1, '.') == NULL || strchr (text, ' ') != NULL))
    {
      set_row_error (self, self->smtp_from_row,
                     _("Sender address: enter an address such as billing@example.org"));
      return;
    }
  apply_string (self, self->smtp_from_row, "smtp-from", TRUE, NULL);
}

typedef struct {
  char *host;
  char *username;
  char *password;
} SmtpSecret;

static void
smtp_secret_free (gpointer data)
{
  SmtpSecret *s = data;

  g_free (s->host);
  g_free (s->username);
  if (s->password != NULL)
    explicit_bzero (s->password, strlen (s->password));
  g_free (s->password);
  g_free (s);
}

static void
smtp_store_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  SmtpSecret *s = task_data;
  GError *error = NULL;

  if (!cp_smtp_password_store (s->host, s->username, s->password, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
smtp_stored_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CpPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_cancellable_is_cancelled (self->cancellable))
        set_row_error (self, self->smtp_password_row, error->message);
      return;
    }
  audit (self, "settings.secret", "keyring:smtp-password", NULL);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->smtp_password_row), "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->smtp_password_row),
                                 _("Password (saved in the keyring)"));
}

static void
smtp_password_apply_cb (CpPreferencesWindow *self)
{
  g_autoptr(GTask) task = NULL;
  SmtpSecret *s;

  if (*gtk_editable_get_text (GTK_EDITABLE (self->smtp_password_row)) == '\0')
    {
      set_row_error (self, self->smtp_password_row, _("Mail password: the password is empty"));
      return;
    }
  set_row_error (self, self->smtp_password_row, NULL);
  if (!may_change (self, "keyring:smtp-password", NULL))
    return;
  s = g_new0 (SmtpSecret, 1);
  s->host = g_settings_get_string (self->settings, "smtp-host");
  s->username = g_settings_get_string (self->settings, "smtp-username");
  s->password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->smtp_password_row)));
  self->busy++;
  task = g_task_new (NULL, self->cancellable, smtp_stored_cb, g_object_ref (self));
  g_task_set_source_tag (task, smtp_password_apply_cb);
  g_task_set_task_data (task, s, smtp_secret_free);
  g_task_run_in_thread (task, smtp_store_thread);
}

static void
reminders_apply_cb (CpPreferencesWindow *self)
{
  g_autofree char *text = stripped_text (self->reminders_row);
  g_autoptr(GVariant) days = NULL;
  g_autoptr(GVariant) old = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;

  days = cp_parse_reminder_days (text, &error);
  if (days == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Reminder schedule: %s"), error->message);
      set_row_error (self, self->reminders_row, message);
      return;
    }
  set_row_error (self, self->reminders_row, NULL);
  shown = format_reminder_days (days);
  gtk_editable_set_text (GTK_EDITABLE (self->reminders_row), shown);
  old = g_settings_get_value (self->settings, "reminder-days");
  if (g_variant_equal (old, days) || !may_set (self, "reminder-days"))
    return;
  g_settings_set_value (self->settings, "reminder-days", days);
  audit_setting (self, "reminder-days", shown);
}

/* Loading */

static void
set_uint_text (CpPreferencesWindow *self,
               AdwEntryRow         *row,
               const char          *key)
{
  g_autofree char *text = g_strdup_printf ("%u", g_settings_get_uint (self->settings, key));

  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
set_string_text (CpPreferencesWindow *self,
                 AdwEntryRow         *row,
                 const char          *key)
{
  g_autofree char *text = g_settings_get_string (self->settings, key);

  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
load_settings (CpPreferencesWindow *self)
{
  g_autofree char *currency = g_settings_get_string (self->settings, "currency");
  g_autofree char *address = g_settings_get_string (self->settings, "hospital-address");
  g_autofree char *tax = NULL;
  g_autofree char *days_text = NULL;
  g_autoptr(GVariant) days = NULL;
  guint bp = g_settings_get_uint (self->settings, "tax-rate-bp");
  guint position = GTK_INVALID_LIST_POSITION;

  set_string_text (self, self->name_row, "hospital-name");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->address_view), address, -1);
  update_logo_row (self);

  self->updating = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (currencies); i++)
    gtk_string_list_append (self->currency_list, currencies[i]);
  for (guint i = 0; i < G_N_ELEMENTS (currencies); i++)
    if (g_strcmp0 (currencies[i], currency) == 0)
      position = i;
  if (position == GTK_INVALID_LIST_POSITION)
    {
      gtk_string_list_append (self->currency_list, currency);
      position = G_N_ELEMENTS (currencies);
    }
  adw_combo_row_set_selected (self->currency_row, position);
  adw_combo_row_set_selected (self->mode_row, g_settings_get_enum (self->settings, "stripe-mode"));
  adw_combo_row_set_selected (self->smtp_security_row,
                              g_settings_get_enum (self->settings, "smtp-security"));
  self->updating = FALSE;

  tax = cp_percent_bp_format (bp);
  gtk_editable_set_text (GTK_EDITABLE (self->tax_row), tax);
  set_uint_text (self, self->terms_row, "payment-terms-days");
  set_uint_text (self, self->interval_row, "sync-interval");
  set_uint_text (self, self->port_row, "webhook-port");
  set_uint_text (self, self->idle_row, "kiosk-idle-timeout");
  show_minimum (self);
  set_string_text (self, self->smtp_host_row, "smtp-host");
  set_uint_text (self, self->smtp_port_row, "smtp-port");
  set_string_text (self, self->smtp_user_row, "smtp-username");
  set_string_text (self, self->smtp_from_row, "smtp-from");
  days = g_settings_get_value (self->settings, "reminder-days");
  days_text = format_reminder_days (days);
  gtk_editable_set_text (GTK_EDITABLE (self->reminders_row), days_text);
}

/* GObject */

static void
cp_preferences_window_dispose (GObject *object)
{
  CpPreferencesWindow *self = CP_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  dialog_done (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->store);
  g_clear_object (&self->running_config);
  g_clear_object (&self->saved_keys);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cp_preferences_window_parent_class)->dispose (object);
}

static void
cp_preferences_window_finalize (GObject *object)
{
  CpPreferencesWindow *self = CP_PREFERENCES_WINDOW (object);

  g_clear_pointer (&self->staff, cp_staff_free);
  g_clear_pointer (&self->errors, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cp_preferences_window_parent_class)->finalize (object);
}

static void
cp_preferences_window_class_init (CpPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_preferences_window_dispose;
  object_class->finalize = cp_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/cp-preferences-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpPreferencesWindow, name)
  BIND (hospital_page);
  BIND (payments_page);
  BIND (kiosk_page);
  BIND (email_page);
  BIND (hospital_group);
  BIND (name_row);
  BIND (logo_row);
  BIND (logo_clear_button);
  BIND (address_view);
  BIND (address_save_button);
  BIND (currency_row);
  BIND (currency_list);
  BIND (tax_row);
  BIND (terms_row);
  BIND (mode_row);
  BIND (secret_row);
  BIND (publishable_row);
  BIND (webhook_row);
  BIND (saved_keys_row);
  BIND (connection_row);
  BIND (connection_spinner);
  BIND (test_button);
  BIND (interval_row);
  BIND (port_row);
  BIND (idle_row);
  BIND (minimum_row);
  BIND (smtp_host_row);
  BIND (smtp_port_row);
  BIND (smtp_security_row);
  BIND (smtp_user_row);
  BIND (smtp_password_row);
  BIND (smtp_from_row);
  BIND (reminders_row);
#undef BIND
#define CB(name) gtk_widget_class_bind_template_callback (widget_class, name)
  CB (name_apply_cb);
  CB (logo_choose_cb);
  CB (logo_clear_cb);
  CB (address_save_cb);
  CB (currency_changed_cb);
  CB (tax_apply_cb);
  CB (terms_apply_cb);
  CB (mode_changed_cb);
  CB (key_apply_cb);
  CB (test_connection_cb);
  CB (interval_apply_cb);
  CB (port_apply_cb);
  CB (idle_apply_cb);
  CB (minimum_apply_cb);
  CB (smtp_host_apply_cb);
  CB (smtp_port_apply_cb);
  CB (smtp_security_changed_cb);
  CB (smtp_user_apply_cb);
  CB (smtp_password_apply_cb);
  CB (smtp_from_apply_cb);
  CB (reminders_apply_cb);
#undef CB

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
cp_preferences_window_init (CpPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->errors = g_hash_table_new (NULL, NULL);
  self->settings = g_settings_new (APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));
  load_settings (self);
  g_signal_connect_object (gtk_text_view_get_buffer (self->address_view), "changed",
                           G_CALLBACK (address_changed_cb), self, G_CONNECT_SWAPPED);
}

static CpStaff *
staff_copy (const CpStaff *staff)
{
  CpStaff *copy = g_new0 (CpStaff, 1);

  copy->id = staff->id;
  copy->username = g_strdup (staff->username);
  copy->display_name = g_strdup (staff->display_name);
  copy->role = staff->role;
  copy->active = staff->active;
  return copy;
}

CpPreferencesWindow *
cp_preferences_window_new (GtkWindow     *parent,
                           CpStore       *store,
                           const CpStaff *staff)
{
  CpPreferencesWindow *self;
  gboolean admin;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (store == NULL || CP_IS_STORE (store), NULL);

  self = g_object_new (CP_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  if (store != NULL)
    self->store = g_object_ref (store);
  if (staff != NULL)
    self->staff = staff_copy (staff);

  admin = staff != NULL && staff->role == CP_ROLE_ADMIN;
  if (admin && store != NULL)
    adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                                ADW_PREFERENCES_PAGE (cp_staff_page_new (store, staff)));
  else
    set_read_only (self);

  if (admin)
    load_saved_keys (self);
  else
    adw_action_row_set_subtitle (self->saved_keys_row, _("Only an administrator can see them"));
  return self;
}

void
cp_preferences_window_set_running_config (CpPreferencesWindow *self,
                                          CpStripeConfig      *config)
{
  g_return_if_fail (CP_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (config == NULL || CP_IS_STRIPE_CONFIG (config));

  g_set_object (&self->running_config, config);
}

guint
cp_preferences_window_get_busy (CpPreferencesWindow *self)
{
  g_return_val_if_fail (CP_IS_PREFERENCES_WINDOW (self), 0);

  return self->busy;
}

const char *
cp_preferences_window_get_error (CpPreferencesWindow *self,
                                 const char          *row_id)
{
  GObject *row;
  GtkLabel *label;

  g_return_val_if_fail (CP_IS_PREFERENCES_WINDOW (self), NULL);

  row = gtk_widget_get_template_child (GTK_WIDGET (self), CP_TYPE_PREFERENCES_WINDOW, row_id);
  g_return_val_if_fail (row != NULL, NULL);
  label = g_hash_table_lookup (self->errors, row);
  if (label == NULL || !gtk_widget_get_visible (GTK_WIDGET (label)))
    return NULL;
  return gtk_label_get_text (label);
}

AdwMessageDialog *
cp_preferences_window_get_dialog (CpPreferencesWindow *self)
{
  g_return_val_if_fail (CP_IS_PREFERENCES_WINDOW (self), NULL);

  return self->dialog;
}
