/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Preferences under Xvfb: a real window, a real SQLite file, the real
 * carepay-stripe-sim and a real secret service: gnome-keyring-daemon on a
 * private session bus (GTestDBus) with a temporary HOME. With
 * CAREPAY_SCREENSHOT_DIR set it also saves preferences.png there. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "cp-application.h"
#include "cp-error.h"
#include "cp-money.h"
#include "cp-notifier.h"
#include "cp-window.h"
#include "cp-preferences-window.h"
#include "cp-smtp-secret.h"
#include "cp-staff-page.h"
#include "cp-stripe-config.h"
#include "notify-test-util.h"
#include "test-app-util.h"
#include "test-signin-util.h"

static GTestDBus   *test_bus;
static GSubprocess *keyring;
static char        *keyring_home;
static GSubprocess *sim_process;
static char        *sim_url;

/* --- the secret service ---------------------------------------------------- */

static gboolean
secrets_owned (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static void
start_keyring (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *data = NULL;
  g_autofree char *config = NULL;
  GOutputStream *in;

  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));

  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  /* It unsets DISPLAY, against X11 autolaunch; Xvfb's is still wanted. */
  g_test_dbus_up (test_bus);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);

  keyring_home = g_dir_make_tmp ("carepay-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  runtime = g_build_filename (keyring_home, "run", NULL);
  data = g_build_filename (keyring_home, "data", NULL);
  config = g_build_filename (keyring_home, "config", NULL);
  g_mkdir_with_parents (runtime, 0700);
  g_mkdir_with_parents (data, 0700);
  g_mkdir_with_parents (config, 0700);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_setenv (launcher, "HOME", keyring_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  keyring = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                         "--unlock", "--components=secrets", NULL);
  g_assert_no_error (error);
  /* --unlock reads the login keyring's password from stdin, up to EOF. */
  in = g_subprocess_get_stdin_pipe (keyring);
  g_output_stream_write_all (in, "carepay-test", 12, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (in, NULL, NULL);
  /* Nothing wakes a main loop when the name appears: poll it. */
  for (guint i = 0; i < 600 && !secrets_owned (); i++)
    g_usleep (50 * 1000);
  g_assert_true (secrets_owned ());
}

static void
stop_keyring (void)
{
  if (keyring != NULL)
    {
      g_subprocess_send_signal (keyring, SIGTERM);
      g_subprocess_wait (keyring, NULL, NULL);
      g_clear_object (&keyring);
    }
  /* libsecret and libadwaita keep their connection to the bus to the end:
   * stop the daemon, but do not wait for the connection to go (down and
   * unref would, for 30 s, then fail). */
  g_test_dbus_stop (test_bus);
  if (keyring_home != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", keyring_home);

      /* A tree of keyring files: removed the simple way. */
      g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
      g_clear_pointer (&keyring_home, g_free);
    }
}

/* --- the simulator ---------------------------------------------------------- */

static void
sim_started_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = user_data;

  sim_process = cp_training_simulator_start_finish (result, &sim_url, error);
}

static void
start_sim (void)
{
  g_autofree char *path = cp_training_simulator_find ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (path);
  cp_training_simulator_start_async (path, NULL, NULL, sim_started_cb, &error);
  SPIN_UNTIL (sim_process != NULL || error != NULL, 30);
  g_assert_no_error (error);
}

static void
stop_sim (void)
{
  if (sim_process == NULL)
    return;
  g_subprocess_send_signal (sim_process, SIGTERM);
  g_subprocess_wait (sim_process, NULL, NULL);
  g_clear_object (&sim_process);
  g_clear_pointer (&sim_url, g_free);
}

/* --- fixture ---------------------------------------------------------------- */

typedef struct {
  TestDb               db;
  GSettings           *settings;
  CpStaff             *staff;
  CpPreferencesWindow *prefs;
} Fixture;

static void
reset_settings (GSettings *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static CpStaff *
sign_in_as (CpStore    *store,
            const char *username)
{
  g_autoptr(GError) error = NULL;
  CpStaff *staff = cp_store_authenticate (store, username, username, &error);

  g_assert_no_error (error);
  return staff;
}

static void
open_prefs (Fixture    *f,
            const char *username)
{
  g_clear_pointer (&f->staff, cp_staff_free);
  f->staff = sign_in_as (f->db.store, username);
  f->prefs = g_object_ref_sink (cp_preferences_window_new (NULL, f->db.store, f->staff));
  gtk_window_present (GTK_WINDOW (f->prefs));
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (f->prefs)), 10);
  SPIN_UNTIL (cp_preferences_window_get_busy (f->prefs) == 0, 30);
}

static void
close_prefs (Fixture *f)
{
  if (f->prefs == NULL)
    return;
  SPIN_UNTIL (cp_preferences_window_get_busy (f->prefs) == 0, 30);
  gtk_window_destroy (GTK_WINDOW (f->prefs));
  spin_briefly (50);
  g_assert_finalize_object (g_steal_pointer (&f->prefs));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->settings = g_settings_new (APP_ID);
  reset_settings (f->settings);
  test_db_open (&f->db, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  close_prefs (f);
  g_clear_pointer (&f->staff, cp_staff_free);
  reset_settings (f->settings);
  g_clear_object (&f->settings);
  test_db_close (&f->db);
}

static GObject *
child (Fixture    *f,
       const char *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->prefs), CP_TYPE_PREFERENCES_WINDOW, id);

  g_assert_nonnull (object);
  return object;
}

static void
apply_text (Fixture    *f,
            const char *row_id,
            const char *text)
{
  GObject *row = child (f, row_id);

  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

static CpStaffPage *
find_staff_page (Fixture *f)
{
  return (CpStaffPage *) find_widget (GTK_WIDGET (f->prefs), CP_TYPE_STAFF_PAGE, NULL, NULL);
}

/* The details of the newest audit entry with `action` and `object`, or NULL. */
static char *
audit_details (Fixture    *f,
               const char *action,
               const char *object)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *details = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->db.path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT coalesce(details, '') FROM audit_log "
                                           "WHERE action = ?1 AND object = ?2 ORDER BY id DESC LIMIT 1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, action, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, object, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    details = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return details;
}

/* Whether `needle` occurs anywhere in the audit log. */
static gboolean
audit_mentions (Fixture    *f,
                const char *needle)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean found;

  g_assert_cmpint (sqlite3_open_v2 (f->db.path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM audit_log WHERE instr(coalesce(details, '') "
                                           "|| object || action, ?1) > 0", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, needle, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  found = sqlite3_column_int (stmt, 0) > 0;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return found;
}

/* --- tests ------------------------------------------------------------------ */

static void
test_pages_by_role (Fixture       *f,
                    gconstpointer  data)
{
  open_prefs (f, "admin");
  g_assert_nonnull (find_staff_page (f));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (child (f, "payments_page"))));
  close_prefs (f);

  open_prefs (f, "clerk");
  g_assert_null (find_staff_page (f));
  /* A clerk sees the settings but cannot change them. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (child (f, "payments_page"))));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (child (f, "name_row"))));
  close_prefs (f);
}

static void
test_hospital_name (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *name = NULL;
  g_autofree char *details = NULL;
  int before;

  open_prefs (f, "admin");
  before = audit_count (f->db.path, "settings.change");
  apply_text (f, "name_row", "  Lakeside Clinic ");
  name = g_settings_get_string (f->settings, "hospital-name");
  g_assert_cmpstr (name, ==, "Lakeside Clinic");
  g_assert_cmpint (audit_count (f->db.path, "settings.change"), ==, before + 1);
  details = audit_details (f, "settings.change", "setting:hospital-name");
  g_assert_cmpstr (details, ==, "Lakeside Clinic");

  /* Empty is refused inline and changes nothing. */
  apply_text (f, "name_row", "   ");
  g_assert_nonnull (cp_preferences_window_get_error (f->prefs, "name_row"));
  g_assert_cmpint (audit_count (f->db.path, "settings.change"), ==, before + 1);

  /* The address, with its line break. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (f, "address_view"))),
                            "1 Lake Road\nLakeside", -1);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (child (f, "address_save_button"))));
  g_signal_emit_by_name (child (f, "address_save_button"), "clicked");
  g_clear_pointer (&name, g_free);
  name = g_settings_get_string (f->settings, "hospital-address");
  g_assert_cmpstr (name, ==, "1 Lake Road\nLakeside");
}

static void
test_tax_rate (Fixture       *f,
               gconstpointer  data)
{
  static const struct { const char *text; guint bp; } good[] = {
    { "8.25", 825 }, { "8.25 %", 825 }, { "0", 0 }, { "12", 1200 }, { "0.5", 50 }, { "100", 10000 },
  };
  static const char * const bad[] = { "abc", "", "8.255", "-1", "100.01", "8,25", "1e2", "8.", ".5", "+8" };
  g_autofree char *details = NULL;
  guint bp;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (cp_parse_percent_bp (good[i].text, &bp));
      g_assert_cmpuint (bp, ==, good[i].bp);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (cp_parse_percent_bp (bad[i], &bp));

  open_prefs (f, "admin");
  apply_text (f, "tax_row", "8.25");
  g_assert_null (cp_preferences_window_get_error (f->prefs, "tax_row"));
  g_assert_cmpuint (g_settings_get_uint (f->settings, "tax-rate-bp"), ==, 825);
  details = audit_details (f, "settings.change", "setting:tax-rate-bp");
  g_assert_cmpstr (details, ==, "825");

  apply_text (f, "tax_row", "abc");
  g_assert_nonnull (cp_preferences_window_get_error (f->prefs, "tax_row"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (child (f, "tax_row")), "error"));
  g_assert_cmpuint (g_settings_get_uint (f->settings, "tax-rate-bp"), ==, 825);

  /* Fixing it clears the error. */
  apply_text (f, "tax_row", "7");
  g_assert_null (cp_preferences_window_get_error (f->prefs, "tax_row"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (child (f, "tax_row")), "error"));
  g_assert_cmpuint (g_settings_get_uint (f->settings, "tax-rate-bp"), ==, 700);
}

static void
test_numbers_and_lists (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GVariant) days = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *details = NULL;

  days = cp_parse_reminder_days ("-7, 0, 30, 60, 90", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (days), ==, "ai");
  g_assert_cmpuint (g_variant_n_children (days), ==, 5);
  g_clear_pointer (&days, g_variant_unref);
  for (guint i = 0; i < 5; i++)
    {
      static const char * const bad[] = { "30, 0", "0, 0", "x", "", "1.5" };

      days = cp_parse_reminder_days (bad[i], &error);
      g_assert_null (days);
      g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
      g_clear_error (&error);
    }

  open_prefs (f, "admin");

  apply_text (f, "reminders_row", "-3,0 , 14");
  g_assert_null (cp_preferences_window_get_error (f->prefs, "reminders_row"));
  days = g_settings_get_value (f->settings, "reminder-days");
  {
    gsize n;
    const gint32 *v = g_variant_get_fixed_array (days, &n, sizeof (gint32));

    g_assert_cmpuint (n, ==, 3);
    g_assert_cmpint (v[0], ==, -3);
    g_assert_cmpint (v[1], ==, 0);
    g_assert_cmpint (v[2], ==, 14);
  }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (f, "reminders_row"))), ==, "-3, 0, 14");
  apply_text (f, "reminders_row", "30, 0");
  g_assert_nonnull (cp_preferences_window_get_error (f->prefs, "reminders_row"));

  apply_text (f, "minimum_row", "12.50");
  g_assert_null (cp_preferences_window_get_error (f->prefs, "minimum_row"));
  g_assert_cmpint (g_settings_get_int64 (f->settings, "kiosk-minimum-payment"), ==, 1250);
  details = audit_details (f, "settings.change", "setting:kiosk-minimum-payment");
  g_assert_cmpstr (details, ==, "1250");
  apply_text (f, "minimum_row", "12.505");
  g_assert_nonnull (cp_preferences_window_get_error (f->prefs, "minimum_row"));
  g_assert_cmpint (g_settings_get_int64 (f->settings, "kiosk-minimum-payment"), ==, 1250);

  apply_text (f, "idle_row", "120");
  g_assert_cmpuint (g_settings_get_uint (f->settings, "kiosk-idle-timeout"), ==, 120);
  apply_text (f, "idle_row", "5");   /* below the schema's 15 */
  g_assert_nonnull (cp_preferences_window_get_error (f->prefs, "idle_row"));
  g_assert_cmpuint (g_settings_get_uint (f->settings, "kiosk-idle-timeout"), ==, 120);

  apply_text (f, "interval_row", "60");
  g_assert_cmpuint (g_settings_get_uint (f->settings, "sync-interval"), ==, 60);
  apply_text (f, "port_row", "70000");
  g_assert_nonnull (cp_preferences_window_get_error (f->prefs, "port_row"));

  apply_text (f, "smtp_host_row", "smtp.example.org");
  apply_text (f, "smtp_port_row", "465");
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (f, "smtp_security_row")), 2);
  apply_text (f, "smtp_from_row", "not an address");
  g_assert_nonnull (cp_preferences_window_get_error (f->prefs, "smtp_from_row"));
  apply_text (f, "smtp_from_row", "billing@example.org");
  {
    g_autofree char *host = g_settings_get_string (f->settings, "smtp-host");
    g_autofree char *from = g_settings_get_string (f->settings, "smtp-from");

    g_assert_cmpstr (host, ==, "smtp.example.org");
    g_assert_cmpstr (from, ==, "billing@example.org");
    g_assert_cmpuint (g_settings_get_uint (f->settings, "smtp-port"), ==, 465);
    g_assert_cmpint (g_settings_get_enum (f->settings, "smtp-security"), ==, 2);
  }

  /* Currency */
  {
    AdwComboRow *row = ADW_COMBO_ROW (child (f, "currency_row"));
    GListModel *model = adw_combo_row_get_model (row);

    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), "EUR") == 0)
        adw_combo_row_set_selected (row, i);
    g_clear_pointer (&details, g_free);
    details = audit_details (f, "settings.change", "setting:currency");
    g_assert_cmpstr (details, ==, "EUR");
  }
}

static void
test_logo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *logo = NULL;
  g_autofree char *found = NULL;
  g_autofree char *out = NULL;

  /* Any PNG of the source tree will do as a logo. */
  g_assert_true (g_spawn_command_line_sync ("sh -c \"find \\\"$CAREPAY_SOURCE_DIR/data\\\" -name '*.png' | head -n1\"",
                                            &out, NULL, NULL, NULL));
  found = g_strstrip (g_steal_pointer (&out));
  g_assert_true (g_str_has_suffix (found, ".png"));

  open_prefs (f, "admin");
  g_assert_false (cp_preferences_window_set_logo (f->prefs, g_getenv ("CAREPAY_SOURCE_DIR"), &error) &&
                  error == NULL);
  g_clear_error (&error);
  g_assert_true (cp_preferences_window_set_logo (f->prefs, found, &error));
  g_assert_no_error (error);
  logo = g_settings_get_string (f->settings, "hospital-logo");
  g_assert_cmpstr (logo, ==, found);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "logo_row"))), ==, found);
  g_assert_true (cp_preferences_window_set_logo (f->prefs, NULL, &error));
  g_clear_pointer (&logo, g_free);
  logo = g_settings_get_string (f->settings, "hospital-logo");
  g_assert_cmpstr (logo, ==, "");
}

static gboolean
settings_mention (GSettings  *settings,
                  const char *needle)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      if (strstr (text, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_keyring (Fixture       *f,
              gconstpointer  data)
{
  const char *secret = "sk_test_prefsKeyring0123456789abcd";
  const char *webhook = "whsec_prefsWebhook0123456789abcdef";
  g_autoptr(CpStripeConfig) config = cp_stripe_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *redacted = cp_stripe_redact_key (secret);
  g_autofree char *details = NULL;
  g_autofree char *password = NULL;
  const char *subtitle;

  open_prefs (f, "admin");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "saved_keys_row")));
  g_assert_nonnull (strstr (subtitle, "Secret: (none)"));

  /* Not a secret key: refused inline, nothing stored. */
  apply_text (f, "secret_row", "pk_test_wrongkind123");
  g_assert_nonnull (cp_preferences_window_get_error (f->prefs, "secret_row"));
  g_assert_cmpuint (cp_preferences_window_get_busy (f->prefs), ==, 0);

  apply_text (f, "secret_row", secret);
  apply_text (f, "webhook_row", webhook);
  SPIN_UNTIL (cp_preferences_window_get_busy (f->prefs) == 0, 30);
  SPIN_UNTIL (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "saved_keys_row"))),
                      "whsec_") != NULL, 30);
  g_assert_null (cp_preferences_window_get_error (f->prefs, "secret_row"));

  /* Shown redacted, and the entries are emptied. */
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "saved_keys_row")));
  g_assert_nonnull (strstr (subtitle, redacted));
  g_assert_null (strstr (subtitle, secret));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (f, "secret_row"))), ==, "");

  /* In the keyring, as the app reads it at start-up... */
  g_assert_true (cp_stripe_config_load_keyring (config, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cp_stripe_config_get_secret_key (config), ==, secret);
  g_assert_cmpstr (cp_stripe_config_get_webhook_secret (config), ==, webhook);
  /* ...and nowhere else: not in GSettings, not in the audit log. */
  g_assert_false (settings_mention (f->settings, "prefsKeyring"));
  g_assert_false (audit_mentions (f, "prefsKeyring"));
  g_assert_false (audit_mentions (f, "prefsWebhook"));
  details = audit_details (f, "settings.secret", "keyring:stripe-secret");
  g_assert_cmpstr (details, ==, redacted);

  /* The mail password, under its own schema. */
  apply_text (f, "smtp_host_row", "mail.example.org");
  apply_text (f, "smtp_user_row", "billing");
  apply_text (f, "smtp_password_row", "hunter2-mail");
  SPIN_UNTIL (cp_preferences_window_get_busy (f->prefs) == 0, 30);
  g_assert_null (cp_preferences_window_get_error (f->prefs, "smtp_password_row"));
  password = cp_smtp_password_lookup ("mail.example.org", "billing", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "hunter2-mail");
  g_assert_false (settings_mention (f->settings, "hunter2"));
  g_assert_false (audit_mentions (f, "hunter2"));
  g_assert_cmpint (audit_count (f->db.path, "settings.secret"), ==, 3);
}

static void
run_connection_test (Fixture    *f,
                     const char *key)
{
  gtk_editable_set_text (GTK_EDITABLE (child (f, "secret_row")), key);
  g_signal_emit_by_name (child (f, "test_button"), "clicked");
  g_assert_cmpuint (cp_preferences_window_get_busy (f->prefs), ==, 1);
  SPIN_UNTIL (cp_preferences_window_get_busy (f->prefs) == 0, 60);
}

static void
test_connection (Fixture       *f,
                 gconstpointer  data)
{
  const char *subtitle;

  g_settings_set_enum (f->settings, "stripe-mode", 1);
  g_settings_set_string (f->settings, "stripe-api-base", sim_url);
  open_prefs (f, "admin");

  run_connection_test (f, "sk_test_x");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "connection_row")));
  g_test_message ("sk_test_x: %s", subtitle);
  g_assert_true (g_str_has_prefix (subtitle, "Connected"));
  g_assert_nonnull (strstr (subtitle, "test mode"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (child (f, "connection_row")), "error"));

  run_connection_test (f, "sk_live_x");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "connection_row")));
  g_test_message ("sk_live_x: %s", subtitle);
  g_assert_true (g_str_has_prefix (subtitle, "Failed"));
  g_assert_nonnull (strstr (subtitle, "Invalid API Key"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (child (f, "connection_row")), "error"));

  /* The typed key was only tried, never saved. */
  g_assert_cmpint (audit_count (f->db.path, "settings.secret"), ==, 0);
  close_prefs (f);

  /* Training: nothing typed, the running simulator and its key. */
  g_settings_set_enum (f->settings, "stripe-mode", 0);
  g_settings_set_string (f->settings, "stripe-api-base", "http://127.0.0.1:9");
  open_prefs (f, "admin");
  {
    g_autoptr(CpStripeConfig) running = cp_training_stripe_config_new (sim_url);

    cp_preferences_window_set_running_config (f->prefs, running);
  }
  run_connection_test (f, "");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "connection_row")));
  g_test_message ("training: %s", subtitle);
  g_assert_true (g_str_has_prefix (subtitle, "Connected"));
}

static void
choose_mode (Fixture *f,
             guint    mode)
{
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (f, "mode_row")), mode);
  SPIN_UNTIL (cp_preferences_window_get_busy (f->prefs) == 0, 30);
}

static void
test_live_refused (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  /* The demo set holds payments, from before any mode was recorded. */
  payments = cp_store_list_payments (f->db.store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (payments->len, >, 0);

  g_settings_set_enum (f->settings, "stripe-mode", 1);
  open_prefs (f, "admin");
  choose_mode (f, 2);
  dialog = cp_preferences_window_get_dialog (f->prefs);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Live Mode Refused");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "new database"));
  g_assert_cmpint (g_settings_get_enum (f->settings, "stripe-mode"), ==, 1);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (f, "mode_row"))), ==, 1);
  adw_message_dialog_response (dialog, "close");
  g_assert_null (cp_preferences_window_get_dialog (f->prefs));

  /* Recorded as test money (what the ledger writes with the first payment). */
  g_assert_true (cp_store_set_meta (f->db.store, "stripe-mode", "test", &error));
  choose_mode (f, 2);
  dialog = cp_preferences_window_get_dialog (f->prefs);
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "test keys"));
  adw_message_dialog_response (dialog, "close");
  g_assert_cmpint (g_settings_get_enum (f->settings, "stripe-mode"), ==, 1);
  g_assert_cmpint (audit_count (f->db.path, "settings.change"), ==, 0);
}

static void
test_live_confirmed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpSqliteStore) fresh = NULL;
  g_autofree char *path = g_build_filename (f->db.dir, "live.db", NULL);
  g_autofree char *details = NULL;
  AdwMessageDialog *dialog;

  /* A new database for live mode: no payments yet. */
  fresh = cp_sqlite_store_open (path, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (cp_store_create_staff (CP_STORE (fresh), "admin", "Alex Admin", CP_ROLE_ADMIN,
                                        "admin", &error));
  f->staff = sign_in_as (CP_STORE (fresh), "admin");
  f->prefs = g_object_ref_sink (cp_preferences_window_new (NULL, CP_STORE (fresh), f->staff));
  gtk_window_present (GTK_WINDOW (f->prefs));
  SPIN_UNTIL (cp_preferences_window_get_busy (f->prefs) == 0, 30);

  /* Cancel keeps test mode. */
  choose_mode (f, 2);
  dialog = cp_preferences_window_get_dialog (f->prefs);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Switch to Live Mode?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Live mode charges real cards"));
  adw_message_dialog_response (dialog, "cancel");
  g_assert_cmpint (g_settings_get_enum (f->settings, "stripe-mode"), ==, 0);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (f, "mode_row"))), ==, 0);

  choose_mode (f, 2);
  dialog = cp_preferences_window_get_dialog (f->prefs);
  adw_message_dialog_response (dialog, "live");
  g_assert_cmpint (g_settings_get_enum (f->settings, "stripe-mode"), ==, 2);
  close_prefs (f);

  {
    TestDb saved = f->db;

    f->db.path = path;
    details = audit_details (f, "settings.change", "setting:stripe-mode");
    f->db = saved;
  }
  g_assert_cmpstr (details, ==, "live");
  g_clear_object (&fresh);
  g_unlink (path);
}

static void
flip_switch (AdwActionRow *row,
             gboolean      active)
{
  GtkWidget *toggle = find_widget (GTK_WIDGET (row), GTK_TYPE_SWITCH, NULL, NULL);

  g_assert_nonnull (toggle);
  gtk_switch_set_active (GTK_SWITCH (toggle), active);
}

static gboolean
has_tooltip (GtkWidget     *widget,
             gconstpointer  data)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (widget), data) == 0;
}

/* Another administrator ("root2"), added by the signed-in one and signed in. */
static CpStaff *
add_second_admin (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  CpStaff *other;

  g_assert_true (cp_store_add_staff (f->db.store, f->staff, "root2", "Second Admin", CP_ROLE_ADMIN,
                                     "root2-pass", &error));
  g_assert_no_error (error);
  other = cp_store_authenticate (f->db.store, "root2", "root2-pass", &error);
  g_assert_no_error (error);
  return other;
}

static void
test_staff (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStaff) signed_in = NULL;
  CpStaffPage *page;
  AdwActionRow *row;
  GtkWidget *form;
  GtkWidget *dropdown;

  open_prefs (f, "admin");
  page = find_staff_page (f);
  g_assert_nonnull (page);

  /* One's own account cannot be demoted or deactivated. */
  row = cp_staff_page_get_account_row (page, "admin");
  g_assert_nonnull (row);
  g_assert_false (gtk_widget_get_sensitive (find_widget (GTK_WIDGET (row), GTK_TYPE_SWITCH, NULL, NULL)));

  form = GTK_WIDGET (page);
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (form, CP_TYPE_STAFF_PAGE, "username_row")),
                         "dana");
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (form, CP_TYPE_STAFF_PAGE, "display_name_row")),
                         "Dana Desk");
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (form, CP_TYPE_STAFF_PAGE, "password_row")),
                         "short");
  g_signal_emit_by_name (gtk_widget_get_template_child (form, CP_TYPE_STAFF_PAGE, "add_button"), "clicked");
  g_assert_nonnull (cp_staff_page_get_error (page));
  g_assert_null (cp_staff_page_get_account_row (page, "dana"));

  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (form, CP_TYPE_STAFF_PAGE, "password_row")),
                         "dana-initial-1");
  g_signal_emit_by_name (gtk_widget_get_template_child (form, CP_TYPE_STAFF_PAGE, "add_button"), "clicked");
  SPIN_UNTIL (cp_staff_page_get_busy (page) == 0, 60);
  g_assert_null (cp_staff_page_get_error (page));
  row = cp_staff_page_get_account_row (page, "dana");
  g_assert_nonnull (row);
  g_assert_cmpint (audit_count (f->db.path, "staff.create"), ==, 1);
  {
    g_autofree char *details = audit_details (f, "staff.create", "staff:dana");

    g_assert_cmpstr (details, ==, "clerk");
  }

  signed_in = cp_store_authenticate (f->db.store, "dana", "dana-initial-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (signed_in->role, ==, CP_ROLE_CLERK);

  /* Role change */
  dropdown = find_widget (GTK_WIDGET (row), GTK_TYPE_DROP_DOWN, NULL, NULL);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), CP_ROLE_SUPERVISOR);
  /* Saved in a worker, the row's controls waiting meanwhile. */
  g_assert_cmpuint (cp_staff_page_get_busy (page), ==, 1);
  g_assert_false (gtk_widget_get_sensitive (dropdown));
  SPIN_UNTIL (cp_staff_page_get_busy (page) == 0, 60);
  g_assert_true (gtk_widget_get_sensitive (dropdown));
  g_assert_cmpint (audit_count (f->db.path, "staff.role"), ==, 1);
  g_clear_pointer (&signed_in, cp_staff_free);
  signed_in = cp_store_authenticate (f->db.store, "dana", "dana-initial-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (signed_in->role, ==, CP_ROLE_SUPERVISOR);

  /* Deactivated: signing in is refused. */
  flip_switch (row, FALSE);
  SPIN_UNTIL (cp_staff_page_get_busy (page) == 0, 60);
  g_assert_null (cp_staff_page_get_error (page));
  g_assert_cmpint (audit_count (f->db.path, "staff.deactivate"), ==, 1);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "deactivated"));
  g_clear_pointer (&signed_in, cp_staff_free);
  signed_in = cp_store_authenticate (f->db.store, "dana", "dana-initial-1", &error);
  g_assert_null (signed_in);
  g_assert_error (error, CP_ERROR, CP_ERROR_AUTH);
  g_clear_error (&error);

  /* And back. */
  flip_switch (row, TRUE);
  SPIN_UNTIL (cp_staff_page_get_busy (page) == 0, 60);
  g_assert_cmpint (audit_count (f->db.path, "staff.activate"), ==, 1);
  signed_in = cp_store_authenticate (f->db.store, "dana", "dana-initial-1", &error);
  g_assert_no_error (error);

  /* A password reset, through its dialog. */
  {
    GtkWidget *reset = find_widget (GTK_WIDGET (row), GTK_TYPE_BUTTON, has_tooltip, "Reset Password…");
    AdwMessageDialog *dialog;

    g_assert_nonnull (reset);
    g_signal_emit_by_name (reset, "clicked");
    dialog = cp_staff_page_get_dialog (page);
    g_assert_nonnull (dialog);
    gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "dana-second-2");
    adw_message_dialog_response (dialog, "reset");
    SPIN_UNTIL (cp_staff_page_get_busy (page) == 0, 60);
    g_assert_null (cp_staff_page_get_error (page));
    g_assert_cmpint (audit_count (f->db.path, "staff.password"), ==, 1);
    g_assert_false (audit_mentions (f, "dana-second-2"));
    g_clear_pointer (&signed_in, cp_staff_free);
    signed_in = cp_store_authenticate (f->db.store, "dana", "dana-second-2", &error);
    g_assert_no_error (error);
  }

  /* The username is unique. */
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (form, CP_TYPE_STAFF_PAGE, "username_row")),
                         "dana");
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (form, CP_TYPE_STAFF_PAGE, "password_row")),
                         "another-pass-2");
  g_signal_emit_by_name (gtk_widget_get_template_child (form, CP_TYPE_STAFF_PAGE, "add_button"), "clicked");
  SPIN_UNTIL (cp_staff_page_get_busy (page) == 0, 60);
  g_assert_nonnull (cp_staff_page_get_error (page));
  g_assert_cmpint (audit_count (f->db.path, "staff.create"), ==, 1);

  /* Another administrator takes this one's role away: the next change is
   * refused in the worker, and the row's controls go back. */
  {
    g_autoptr(CpStaff) other = add_second_admin (f);
    GtkWidget *toggle = find_widget (GTK_WIDGET (row), GTK_TYPE_SWITCH, NULL, NULL);

    g_assert_true (cp_store_set_staff_role (f->db.store, other, f->staff->id, CP_ROLE_CLERK, &error));
    g_assert_no_error (error);

    flip_switch (row, FALSE);
    SPIN_UNTIL (cp_staff_page_get_busy (page) == 0, 60);
    g_assert_nonnull (cp_staff_page_get_error (page));
    g_assert_true (gtk_switch_get_active (GTK_SWITCH (toggle)));
    g_assert_true (gtk_widget_get_sensitive (toggle));
    g_assert_null (strstr (adw_action_row_get_subtitle (row), "deactivated"));
    g_assert_cmpint (audit_count (f->db.path, "staff.deactivate"), ==, 1);
    g_assert_cmpint (audit_count (f->db.path, "staff.refused"), ==, 1);
  }
}

static void
test_store_staff_admin (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStaff) staff = sign_in_as (f->db.store, "clerk");
  g_autoptr(CpStaff) admin = sign_in_as (f->db.store, "admin");
  g_autoptr(CpStaff) again = NULL;

  g_assert_false (cp_store_set_staff_role (f->db.store, admin, 999999, CP_ROLE_ADMIN, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cp_store_set_staff_active (f->db.store, admin, 999999, FALSE, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (cp_store_set_staff_password (f->db.store, admin, staff->id, "new-clerk-pass", &error));
  g_assert_no_error (error);
  again = cp_store_authenticate (f->db.store, "clerk", "clerk", &error);
  g_assert_null (again);
  g_assert_error (error, CP_ERROR, CP_ERROR_AUTH);
  g_clear_error (&error);
  again = cp_store_authenticate (f->db.store, "clerk", "new-clerk-pass", &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}

/* The window opened for an administrator who then loses the role (another
 * administrator deactivates the account): the store refuses the next change,
 * audits it, and the window turns read-only. */
static void
test_admin_lost (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStaff) other = NULL;
  g_autofree char *name = NULL;
  g_autofree char *details = NULL;
  int changes;

  open_prefs (f, "admin");
  other = add_second_admin (f);
  g_assert_true (cp_store_set_staff_active (f->db.store, other, f->staff->id, FALSE, &error));
  g_assert_no_error (error);

  changes = audit_count (f->db.path, "settings.change");
  apply_text (f, "name_row", "Taken Over Clinic");
  name = g_settings_get_string (f->settings, "hospital-name");
  g_assert_cmpstr (name, !=, "Taken Over Clinic");
  g_assert_cmpint (audit_count (f->db.path, "settings.change"), ==, changes);
  g_assert_cmpint (audit_count (f->db.path, "settings.refused"), ==, 1);
  details = audit_details (f, "settings.refused", "setting:hospital-name");
  g_assert_cmpstr (details, ==, "asked=settings.change reason=not-admin");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (child (f, "payments_page"))));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (child (f, "name_row"))));

  /* Nor can the staff page, still on screen, undo it */
  g_assert_false (cp_store_set_staff_active (f->db.store, f->staff, f->staff->id, TRUE, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_PERMISSION);
  g_assert_cmpint (audit_count (f->db.path, "staff.refused"), ==, 1);
}

static void
test_shortcuts_window (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/org/stingrays/CarePay/cp-shortcuts-window.ui");
  GObject *overlay = gtk_builder_get_object (builder, "shortcuts_window");
  g_autofree char *labels = NULL;

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  g_object_ref (overlay);
  g_clear_object (&builder);
  gtk_window_present (GTK_WINDOW (overlay));
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (overlay)), 10);
  labels = collect_labels (GTK_WIDGET (overlay));
  g_assert_true (labels_have (labels, "New Invoice"));
  g_assert_true (labels_have (labels, "Preferences"));
  gtk_window_destroy (GTK_WINDOW (overlay));
  g_assert_finalize_object (overlay);
}

static void
test_create_destroy (Fixture       *f,
                     gconstpointer  data)
{
  CpStaffPage *page;
  CpPreferencesWindow *prefs;

  f->staff = sign_in_as (f->db.store, "admin");
  page = g_object_ref_sink (cp_staff_page_new (f->db.store, f->staff));
  g_assert_nonnull (cp_staff_page_get_account_row (page, "clerk"));
  g_assert_finalize_object (page);

  prefs = g_object_ref_sink (cp_preferences_window_new (NULL, f->db.store, f->staff));
  SPIN_UNTIL (cp_preferences_window_get_busy (prefs) == 0, 30);
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);

  /* No store, no staff: read-only, and still clean. */
  prefs = g_object_ref_sink (cp_preferences_window_new (NULL, NULL, NULL));
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
}

static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");

  if (dir == NULL)
    {
      g_test_skip ("CAREPAY_SCREENSHOT_DIR is not set");
      return;
    }
  g_mkdir_with_parents (dir, 0755);
  g_settings_set_enum (f->settings, "stripe-mode", 1);
  g_settings_set_string (f->settings, "stripe-api-base", sim_url);
  f->staff = sign_in_as (f->db.store, "admin");
  f->prefs = g_object_ref_sink (cp_preferences_window_new (NULL, f->db.store, f->staff));
  gtk_window_set_default_size (GTK_WINDOW (f->prefs), 760, 940);
  gtk_window_present (GTK_WINDOW (f->prefs));
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (f->prefs)), 10);
  SPIN_UNTIL (cp_preferences_window_get_busy (f->prefs) == 0, 30);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->prefs), "payments");
  apply_text (f, "secret_row", "sk_test_screenshot0123456789abcdef");
  SPIN_UNTIL (cp_preferences_window_get_busy (f->prefs) == 0, 30);
  SPIN_UNTIL (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "saved_keys_row"))),
                      "sk_test_…") != NULL, 30);
  gtk_editable_set_text (GTK_EDITABLE (child (f, "publishable_row")), "pk_test_typed");
  g_signal_emit_by_name (child (f, "test_button"), "clicked");
  SPIN_UNTIL (cp_preferences_window_get_busy (f->prefs) == 0, 60);
  gtk_editable_set_text (GTK_EDITABLE (child (f, "publishable_row")), "");
  save_screenshot (GTK_WIDGET (f->prefs), dir, "preferences.png");
}

/* --- the application: actions, shortcuts, notifications, banner ------------ */

static GtkWidget *
find_live_banner (GtkWidget *root)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found;

      if (GTK_IS_REVEALER (w) && gtk_revealer_get_child (GTK_REVEALER (w)) != NULL &&
          gtk_widget_has_css_class (gtk_revealer_get_child (GTK_REVEALER (w)), "live-banner"))
        return w;
      if ((found = find_live_banner (w)) != NULL)
        return found;
    }
  return NULL;
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
        return GTK_WINDOW (w);
    }
  return NULL;
}

static CpPreferencesWindow *
find_prefs_window (void)
{
  return (CpPreferencesWindow *) find_toplevel (CP_TYPE_PREFERENCES_WINDOW);
}

static GtkWindow *
find_shortcuts_window (void)
{
  return find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
}

/* The keys the shortcuts window shows for `action`, or NULL. */
static const char *
shown_accelerator (GtkWidget  *widget,
                   const char *action)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *name = NULL;

      g_object_get (widget, "action-name", &name, NULL);
      if (g_strcmp0 (name, action) == 0)
        {
          GtkWidget *label = find_widget (widget, GTK_TYPE_SHORTCUT_LABEL, NULL, NULL);

          return label != NULL ? gtk_shortcut_label_get_accelerator (GTK_SHORTCUT_LABEL (label)) : NULL;
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *found = shown_accelerator (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_application (Fixture       *f,
                  gconstpointer  data)
{
  /* GNOME Shell's notifications, on the test's own session bus */
  g_autoptr(TestNotifyServer) notes = test_notify_server_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CpApplication) app = NULL;
  g_autoptr(CpNotifier) notifier = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(CpInvoice) invoice = NULL;
  g_auto(GStrv) accels = NULL;
  g_auto(GStrv) help_accels = NULL;
  g_autofree char *expected_id = NULL;
  CpPreferencesWindow *prefs;
  CpWindow *window;
  GtkWidget *banner;
  CpPayment *paid = NULL;
  const char *body = NULL;
  const char *action = NULL;
  const char *app_id = NULL;
  const char *id = NULL;
  GVariant *notification;

  app = cp_application_new ();
  /* On the bus, but without taking the name: single-instance wants it free. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  /* Actions and their shortcuts */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "preferences"));
  g_assert_cmpstr ((const char *) g_action_group_get_action_parameter_type (G_ACTION_GROUP (app), "open-invoice"),
                   ==, "x");
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.preferences");
  g_assert_cmpstr (accels[0], ==, "<Control>comma");

  /* The staff window shows its shortcuts window, built when first asked
   * for, with Ctrl+? as in every GNOME app. */
  help_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay");
  g_assert_cmpstr (help_accels[0], ==, "<Control>question");
  window = cp_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  cp_window_set_store (window, f->db.store);
  gtk_window_present (GTK_WINDOW (window));
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (cp_window_get_signin_page (window))), 10);
  g_assert_null (find_shortcuts_window ());
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  SPIN_UNTIL (find_shortcuts_window () != NULL && gtk_widget_get_mapped (GTK_WIDGET (find_shortcuts_window ())), 10);
  g_assert_true (gtk_window_get_transient_for (find_shortcuts_window ()) == GTK_WINDOW (window));
  /* With the keys of the actions it names, as the application has them. */
  g_assert_cmpstr (shown_accelerator (GTK_WIDGET (find_shortcuts_window ()), "app.preferences"), ==, "<Control>comma");
  g_assert_cmpstr (shown_accelerator (GTK_WIDGET (find_shortcuts_window ()), "win.show-help-overlay"), ==,
                   "<Control>question");
  gtk_window_close (find_shortcuts_window ());
  SPIN_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (find_shortcuts_window ())), 10);

  /* Before sign-in there is nobody to show preferences to. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  spin_briefly (50);
  g_assert_null (find_prefs_window ());

  test_sign_in_submit (window, "admin", "admin");
  SPIN_UNTIL (g_strcmp0 (cp_window_get_page (window), "main") == 0, 60);

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  SPIN_UNTIL (find_prefs_window () != NULL, 10);
  prefs = find_prefs_window ();
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (prefs)) == GTK_WINDOW (window));
  g_assert_nonnull (find_widget (GTK_WIDGET (prefs), CP_TYPE_STAFF_PAGE, NULL, NULL));
  SPIN_UNTIL (cp_preferences_window_get_busy (prefs) == 0, 30);
  gtk_window_destroy (GTK_WINDOW (prefs));

  /* About: version, website, developer, license, credits. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    AdwAboutWindow *about = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && about == NULL; i++)
      {
        g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

        if (ADW_IS_ABOUT_WINDOW (w))
          about = ADW_ABOUT_WINDOW (w);
      }
    g_assert_nonnull (about);
    g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
    g_assert_true (g_str_has_prefix (adw_about_window_get_website (about), "https://"));
    g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "The Stingrays");
    g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
    g_assert_nonnull (adw_about_window_get_developers (about));
    gtk_window_destroy (GTK_WINDOW (about));
  }

  /* Live mode: the banner, in the staff window. */
  banner = find_live_banner (GTK_WIDGET (window));
  g_assert_nonnull (banner);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)));
  g_settings_set_enum (f->settings, "stripe-mode", 2);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)));
  g_settings_set_enum (f->settings, "stripe-mode", 1);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)));

  /* A paid invoice's notification (CpSyncController sends it for a payment
   * by sync; test-app-sync drives that): the number and the amount. */
  payments = cp_store_list_payments (f->db.store, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < payments->len && paid == NULL; i++)
    if (cp_payment_status_counts (((CpPayment *) payments->pdata[i])->status))
      paid = payments->pdata[i];
  g_assert_nonnull (paid);
  invoice = cp_store_get_invoice (f->db.store, paid->invoice_id, &error);
  g_assert_no_error (error);

  notifier = cp_notifier_new (G_APPLICATION (app));
  g_assert_true (cp_notifier_send (notifier, invoice, &error));
  g_assert_no_error (error);
  SPIN_UNTIL (test_notify_server_count (notes) > 0, 10);
  notification = test_notify_server_get (notes, test_notify_server_count (notes) - 1, &app_id, &id);
  expected_id = cp_notifier_dup_id (paid->invoice_id);
  g_assert_cmpstr (app_id, ==, APP_ID);
  g_assert_cmpstr (id, ==, expected_id);
  g_assert_true (g_variant_lookup (notification, "body", "&s", &body));
  g_test_message ("Notification: %s", body);
  g_assert_nonnull (strstr (body, invoice->number));
  g_assert_true (g_variant_lookup (notification, "default-action", "&s", &action));
  g_assert_cmpstr (action, ==, "app.open-invoice");
  {
    g_autoptr(GVariant) target = g_variant_lookup_value (notification, "default-action-target", NULL);

    g_assert_nonnull (target);
    g_assert_cmpint (g_variant_get_int64 (target), ==, paid->invoice_id);
  }

  /* An invoice without a payment sends nothing. */
  {
    g_autoptr(CpInvoice) unpaid = cp_invoice_new ();

    unpaid->id = invoice->id;
    unpaid->number = g_strdup (invoice->number);
    g_assert_false (cp_notifier_send (notifier, unpaid, &error));
    g_assert_error (error, CP_ERROR, CP_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* Clicking it opens that invoice. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "open-invoice", g_variant_new_int64 (paid->invoice_id));
  g_assert_cmpint (cp_invoice_detail_get_invoice_id (cp_window_get_invoice_detail (window)), ==,
                   paid->invoice_id);
  g_assert_cmpstr (cp_window_get_detail_page (window), ==, "invoice");

  g_clear_object (&notifier);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_briefly (100);
}

/* The window's size is stored on close and used by the next one. */
static void
test_window_size (Fixture       *f,
                  gconstpointer  data)
{
  CpWindow *window = g_object_ref_sink (cp_window_new (NULL));
  int width, height;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  gtk_window_present (GTK_WINDOW (window));
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)), 10);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_cmpint (g_settings_get_int (f->settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (f->settings, "window-height"), ==, 640);
  g_assert_false (g_settings_get_boolean (f->settings, "window-maximized"));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  window = g_object_ref_sink (cp_window_new (NULL));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* --- one instance ------------------------------------------------------------ */

static gboolean
name_owned (const char *name)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/* How many windows the running CarePay exports on the bus (GtkApplication
 * puts each at /org/stingrays/CarePay/window/N). */
static guint
exported_windows (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  const char *xml;
  guint n = 0;

  reply = g_dbus_connection_call_sync (bus, APP_ID, "/org/stingrays/CarePay/window",
                                       "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply == NULL)
    return 0;
  g_variant_get (reply, "(&s)", &xml);
  node = g_dbus_node_info_new_for_xml (xml, NULL);
  for (guint i = 0; node != NULL && node->nodes != NULL && node->nodes[i] != NULL; i++)
    n++;
  return n;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static void
test_single_instance (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *db = g_build_filename (f->db.dir, "instance.db", NULL);
  g_autofree char *state = g_build_filename (f->db.dir, "simulator.json", NULL);
  g_autoptr(GSubprocess) primary = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusActionGroup) actions = NULL;
  g_autoptr(GError) error = NULL;
  gboolean primary_done = FALSE;
  guint i;

  g_assert_false (name_owned (APP_ID));
  g_subprocess_launcher_setenv (launcher, "CAREPAY_DB", db, TRUE);
  primary = g_subprocess_launcher_spawn (launcher, &error, CAREPAY_BIN, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (primary, NULL, wait_cb, &primary_done);
  for (i = 0; i < 600 && !primary_done && exported_windows () == 0; i++)
    spin_briefly (50);
  g_assert_false (primary_done);
  g_assert_true (name_owned (APP_ID));
  g_assert_cmpuint (exported_windows (), ==, 1);

  /* A second plain `carepay` hands its command line to the first and exits 0. */
  second = g_subprocess_launcher_spawn (launcher, &error, CAREPAY_BIN, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (second, NULL, &error));
  g_assert_no_error (error);
  spin_briefly (200);
  g_assert_false (primary_done);
  g_assert_cmpuint (exported_windows (), ==, 1);

  /* --version answers locally, without the bus. */
  {
    g_autofree char *out = NULL;
    const char *argv[] = { CAREPAY_BIN, "--version", NULL };
    int status;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                                 &status, &error));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_true (g_str_has_prefix (out, "carepay "));
  }

  actions = g_dbus_action_group_get (bus, APP_ID, "/org/stingrays/CarePay");
  g_action_group_list_actions (G_ACTION_GROUP (actions));
  for (i = 0; i < 100 && !g_action_group_has_action (G_ACTION_GROUP (actions), "quit"); i++)
    spin_briefly (50);
  g_action_group_activate_action (G_ACTION_GROUP (actions), "quit", NULL);
  SPIN_UNTIL (primary_done, 30);
  g_assert_true (g_subprocess_get_if_exited (primary));
  g_assert_cmpint (g_subprocess_get_exit_status (primary), ==, 0);
  g_unlink (state);
  test_unlink_sqlite (db);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_unsetenv ("CAREPAY_STRIPE_API_BASE");
  /* The private bus first: libsecret keeps the first session bus it meets. */
  start_keyring ();
  test_app_init (&argc, &argv);
  start_sim ();

#define ADD(path, func) \
  g_test_add ("/carepay/prefs/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("pages-by-role", test_pages_by_role);
  ADD ("hospital-name", test_hospital_name);
  ADD ("tax-rate", test_tax_rate);
  ADD ("numbers-and-lists", test_numbers_and_lists);
  ADD ("logo", test_logo);
  ADD ("keyring", test_keyring);
  ADD ("test-connection", test_connection);
  ADD ("live-refused", test_live_refused);
  ADD ("live-confirmed", test_live_confirmed);
  ADD ("staff", test_staff);
  ADD ("store-staff-admin", test_store_staff_admin);
  ADD ("admin-lost", test_admin_lost);
  ADD ("create-destroy", test_create_destroy);
  ADD ("application", test_application);
  ADD ("single-instance", test_single_instance);
  ADD ("window-size", test_window_size);
  ADD ("screenshot", test_screenshot);
#undef ADD
  g_test_add_func ("/carepay/prefs/shortcuts-window", test_shortcuts_window);

  ret = g_test_run ();
  stop_sim ();
  stop_keyring ();
  return ret;
}
