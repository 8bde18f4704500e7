/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Translations: every catalog in po/LINGUAS passes msgfmt's checks, every
 * source file with translatable strings is in po/POTFILES.in, and under a
 * Spanish locale the strings, money and dates come out in Spanish, in the
 * staff window too (under Xvfb; with CAREPAY_SCREENSHOT_DIR set it saves
 * invoices-es.png there). The Spanish parts need the es_ES.UTF-8 and
 * es_MX.UTF-8 locales (locale-gen); without them they are skipped. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cp-invoice-list.h"
#include "cp-language.h"
#include "cp-money.h"
#include "cp-new-invoice-dialog.h"
#include "cp-signin-page.h"
#include "cp-ui-util.h"
#include "cp-window.h"
#include "test-app-util.h"
#include "test-signin-util.h"

static char *catalog_dir;     /* msgfmt's output: <dir>/es/LC_MESSAGES/carepay.mo */
static gboolean have_es_ES;
static gboolean have_es_MX;

static const char *
source_dir (void)
{
  const char *dir = g_getenv ("CAREPAY_SOURCE_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static char **
read_lines (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return g_strsplit (text, "\n", -1);
}

/* The languages of po/LINGUAS. */
static char **
linguas (void)
{
  g_autofree char *path = g_build_filename (source_dir (), "po", "LINGUAS", NULL);
  g_auto(GStrv) lines = read_lines (path);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0' && lines[i][0] != '#')
        g_ptr_array_add (out, g_strdup (lines[i]));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static void
test_catalogs_check (void)
{
  g_auto(GStrv) langs = linguas ();

  g_assert_nonnull (langs[0]);
  for (guint i = 0; langs[i] != NULL; i++)
    {
      g_autofree char *po = g_strdup_printf ("%s/po/%s.po", source_dir (), langs[i]);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;
      const char *argv[] = { "msgfmt", "--check-format", "-c", "--statistics", "-o", "/dev/null",
                             po, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                    &out, &err, &status, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %s", langs[i], g_strstrip (err));
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("msgfmt --check-format -c %s failed:\n%s", po, err);
      /* msgfmt -c accepts fuzzy entries; a fuzzy one is a stale guess. */
      g_assert_null (strstr (err, "fuzzy"));
    }
}

/* Whether a source file holds strings for xgettext. */
static gboolean
has_translatable (const char *path)
{
  static GRegex *c_re;
  g_autofree char *text = NULL;

  if (c_re == NULL)
    c_re = g_regex_new ("(^|[^\\w])(_|N_|C_|NC_|ngettext|g_dngettext|g_dpgettext2|g_dgettext)\\s*\\(",
                        G_REGEX_MULTILINE, 0, NULL);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  if (g_str_has_suffix (path, ".c"))
    return g_regex_match (c_re, text, 0, NULL);
  if (g_str_has_suffix (path, ".ui"))
    return strstr (text, "translatable=\"yes\"") != NULL;
  return TRUE;
}

static void
collect_files (GPtrArray  *out,
               const char *subdir,
               const char *suffix)
{
  g_autofree char *dir_path = g_build_filename (source_dir (), subdir, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *rel = g_build_filename (subdir, name, NULL);
      g_autofree char *abs = g_build_filename (source_dir (), rel, NULL);

      if (g_str_has_suffix (name, suffix) && has_translatable (abs))
        g_ptr_array_add (out, g_steal_pointer (&rel));
    }
}

static void
test_potfiles_complete (void)
{
  g_autofree char *path = g_build_filename (source_dir (), "po", "POTFILES.in", NULL);
  g_auto(GStrv) lines = read_lines (path);
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) wanted = g_ptr_array_new_with_free_func (g_free);
  const char *previous = NULL;
  guint missing = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *abs = NULL;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      abs = g_build_filename (source_dir (), lines[i], NULL);
      if (!g_file_test (abs, G_FILE_TEST_IS_REGULAR))
        g_error ("po/POTFILES.in lists %s, which does not exist", lines[i]);
      if (previous != NULL && strcmp (previous, lines[i]) >= 0)
        g_error ("po/POTFILES.in is not sorted: %s after %s", lines[i], previous);
      previous = lines[i];
      g_hash_table_add (listed, lines[i]);
    }

  for (guint i = 0; i < 5; i++)
    collect_files (wanted, (const char *[]) { "src/app", "src/kiosk", "src/core", "src/core/stripe",
                                              "src/ctl" }[i], ".c");
  collect_files (wanted, "src/kiosk", ".ui");
  collect_files (wanted, "ui", ".ui");
  collect_files (wanted, "ui/gtk", ".ui");
  collect_files (wanted, "data", ".desktop.in");
  collect_files (wanted, "data", ".metainfo.xml.in");
  collect_files (wanted, "data", ".gschema.xml");

  g_assert_cmpuint (wanted->len, >, 20);
  for (guint i = 0; i < wanted->len; i++)
    if (!g_hash_table_contains (listed, wanted->pdata[i]))
      {
        g_test_message ("not in po/POTFILES.in: %s", (char *) wanted->pdata[i]);
        missing++;
      }
  g_assert_cmpuint (missing, ==, 0);
}

/* Compiles po/es.po for the tests below and binds the domain to it. */
static void
compile_catalog (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *po = g_build_filename (source_dir (), "po", "es.po", NULL);
  g_autofree char *mo_dir = NULL;
  g_autofree char *mo = NULL;
  int status = 0;

  catalog_dir = g_dir_make_tmp ("carepay-i18n-XXXXXX", &error);
  g_assert_no_error (error);
  mo_dir = g_build_filename (catalog_dir, "es", "LC_MESSAGES", NULL);
  g_assert_cmpint (g_mkdir_with_parents (mo_dir, 0700), ==, 0);
  mo = g_build_filename (mo_dir, GETTEXT_PACKAGE ".mo", NULL);
  {
    const char *argv[] = { "msgfmt", "-o", mo, po, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  bindtextdomain (GETTEXT_PACKAGE, catalog_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

static void
remove_catalog (void)
{
  g_autofree char *mo = NULL;
  g_autofree char *lc = NULL;
  g_autofree char *es = NULL;

  if (catalog_dir == NULL)
    return;
  mo = g_build_filename (catalog_dir, "es", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  lc = g_path_get_dirname (mo);
  es = g_path_get_dirname (lc);
  g_unlink (mo);
  g_rmdir (lc);
  g_rmdir (es);
  g_rmdir (catalog_dir);
  g_clear_pointer (&catalog_dir, g_free);
}

static gboolean
skip_without_es (void)
{
  if (!have_es_ES)
    {
      g_test_skip ("the es_ES.UTF-8 locale is not generated (add it to /etc/locale.gen, run locale-gen)");
      return TRUE;
    }
  return FALSE;
}

static void
test_strings_es (void)
{
  if (skip_without_es ())
    return;

  g_assert_cmpstr (_("Invoices"), ==, "Facturas");
  g_assert_cmpstr (C_("invoice status", "Paid"), ==, "Pagada");
  g_assert_cmpstr (C_("invoice status", "Partially paid"), ==, "Pagada parcialmente");
  g_assert_cmpstr (C_("invoice status", "Overdue"), ==, "Vencida");
  g_assert_cmpstr (_("Balance due"), ==, "Saldo pendiente");
  g_assert_cmpstr (ngettext ("%u of %u invoice", "%u of %u invoices", 1), ==, "%u de %u factura");
  g_assert_cmpstr (ngettext ("%u of %u invoice", "%u of %u invoices", 2), ==, "%u de %u facturas");
  /* The kiosk talks to patients formally (usted). */
  g_assert_cmpstr (_("Find your bill"), ==, "Busque su factura");
  /* The core's status labels come through the same catalog. */
  g_assert_cmpstr (cp_invoice_status_label (CP_INVOICE_STATUS_PAID), ==, "Pagada");
}

static char *
format_in (const char *locale,
           gint64      minor,
           const char *currency)
{
  g_autofree char *old = g_strdup (setlocale (LC_ALL, NULL));
  char *text;

  g_assert_nonnull (setlocale (LC_ALL, locale));
  text = cp_money_format (minor, currency);
  setlocale (LC_ALL, old);
  return text;
}

static void
test_money_es (void)
{
  g_autofree char *es = NULL;
  g_autofree char *mx = NULL;

  if (skip_without_es ())
    return;
  if (!have_es_MX)
    {
      g_test_skip ("the es_MX.UTF-8 locale is not generated");
      return;
    }

  /* Spain writes 1.234,56 $; Mexico $1 234.56 (glibc's es_MX groups with a
   * thin space) — the locale decides, not the language. */
  es = format_in ("es_ES.UTF-8", 123456, "USD");
  mx = format_in ("es_MX.UTF-8", 123456, "USD");
  g_test_message ("es_ES: %s, es_MX: %s", es, mx);
  g_assert_true (g_str_has_prefix (es, "1.234,56"));
  g_assert_true (g_str_has_suffix (es, "$"));
  g_assert_true (g_str_has_prefix (mx, "$1"));
  g_assert_true (g_str_has_suffix (mx, "234.56"));
  g_assert_null (strchr (mx, ','));
}

static void
test_dates_es (void)
{
  g_autofree char *date = NULL;

  if (skip_without_es ())
    return;

  /* g_date_time_format() names the month in the locale's language. */
  date = cp_ui_format_date ("2026-11-22");
  g_assert_cmpstr (date, ==, "22 nov 2026");
}

static void
test_window_es (void)
{
  TestDb db;
  CpWindow *window;
  GtkWidget *page;
  g_autofree char *labels = NULL;
  const char *shots = g_getenv ("CAREPAY_SCREENSHOT_DIR");

  if (skip_without_es ())
    return;

  test_db_open (&db, 0);
  window = g_object_ref_sink (cp_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  cp_window_set_store (window, db.store);
  gtk_window_present (GTK_WINDOW (window));
  page = GTK_WIDGET (cp_window_get_signin_page (window));
  SPIN_UNTIL (gtk_widget_get_mapped (page), 10);

  labels = collect_labels (page);
  g_assert_true (labels_have (labels, "Iniciar sesión en CarePay"));

  test_sign_in (window, "clerk");
  spin_briefly (300);

  g_clear_pointer (&labels, g_free);
  labels = collect_labels (GTK_WIDGET (window));
  g_assert_true (labels_have (labels, "Total pendiente"));
  g_assert_true (labels_have (labels, "Vencidas"));
  g_assert_true (labels_have (labels, "Pagado este mes"));
  g_assert_true (labels_have (labels, "Factura"));
  g_assert_true (labels_have (labels, "Saldo"));
  g_assert_true (labels_have (labels, "Pagada"));
  g_assert_false (labels_have (labels, "Invoices"));
  /* The main menu (F10) in Spanish: one letter an item. */
  {
    GtkWidget *button = find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, test_is_primary_menu, NULL);

    g_assert_nonnull (button);
    test_assert_unique_mnemonics (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button)));
  }
  g_assert_false (labels_have (labels, "Balance"));
  g_assert_false (labels_have (labels, "Total Outstanding"));

  if (shots != NULL)
    save_screenshot (GTK_WIDGET (window), shots, "invoices-es.png");

  /* The detail's buttons in Spanish (longer words than English). */
  {
    CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
    g_autoptr(GPtrArray) rows = NULL;
    g_autoptr(GError) error = NULL;

    query.status = CP_INVOICE_STATUS_PARTIALLY_PAID;
    rows = cp_store_list_invoices (db.store, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, >, 0);
    cp_window_open_invoice (window, ((CpInvoiceSummary *) rows->pdata[0])->id);
    SPIN_UNTIL (g_strcmp0 (cp_window_get_detail_page (window), "invoice") == 0, 10);
    spin_briefly (500);
    g_clear_pointer (&labels, g_free);
    labels = collect_labels (GTK_WIDGET (window));
    g_assert_true (labels_have (labels, "Saldo pendiente"));
    g_assert_true (labels_have (labels, "Historial de pagos"));
    if (shots != NULL)
      save_screenshot (GTK_WIDGET (window), shots, "invoice-detail-es.png");
  }

  /* New Invoice, the longest form, in Spanish. */
  {
    GtkWidget *dialog = GTK_WIDGET (cp_new_invoice_dialog_new (GTK_WINDOW (window), db.store,
                                                                 cp_window_get_staff (window)->id));
    g_autofree char *dialog_labels = NULL;

    gtk_window_present (GTK_WINDOW (dialog));
    SPIN_UNTIL (gtk_widget_get_mapped (dialog), 10);
    spin_briefly (300);
    dialog_labels = collect_labels (dialog);
    g_assert_true (labels_have (dialog_labels, "Nueva factura"));
    if (shots != NULL)
      save_screenshot (dialog, shots, "new-invoice-es.png");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  spin_briefly (100);
  g_assert_finalize_object (window);
  test_db_close (&db);
}

/* What an entry is pre-filled with must parse back under the same locale,
 * and rates show the locale's decimal separator (issue #6 §3): es_ES writes
 * "8,25", es_MX and C "8.25". */
static void
check_numbers_in (const char *locale,
                  const char *rate)
{
  g_autofree char *old = g_strdup (setlocale (LC_ALL, NULL));
  static const gint64 amounts[] = { 5, 12345, 123456, 123456789 };
  g_autofree char *shown = NULL;
  guint bp = 0;

  g_assert_nonnull (setlocale (LC_ALL, locale));
  shown = cp_percent_bp_format (825);
  g_assert_cmpstr (shown, ==, rate);
  g_assert_true (cp_percent_bp_parse (rate, &bp));
  g_assert_cmpuint (bp, ==, 825);
  g_assert_true (cp_percent_bp_parse ("8.25 %", &bp));   /* a keypad's "." is fine too */
  g_assert_cmpuint (bp, ==, 825);
  g_clear_pointer (&shown, g_free);
  shown = cp_percent_bp_format (850);
  g_assert_true (cp_percent_bp_parse (shown, &bp));
  g_assert_cmpuint (bp, ==, 850);
  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      /* As the payment and refund dialogs pre-fill their amount. */
      g_autofree char *plain = cp_money_format_full (amounts[i], "USD", NULL, NULL, FALSE);
      g_autofree char *with_symbol = cp_money_format (amounts[i], "USD");
      g_autoptr(GError) error = NULL;
      gint64 back = 0;

      g_test_message ("%s: %s, %s", locale, plain, with_symbol);
      g_assert_true (cp_money_parse (plain, "USD", CP_MONEY_PARSE_DEFAULT, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (back, ==, amounts[i]);
      g_assert_true (cp_money_parse (with_symbol, "USD", CP_MONEY_PARSE_DEFAULT, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (back, ==, amounts[i]);
    }
  setlocale (LC_ALL, old);
}

static void
test_numbers_es (void)
{
  if (skip_without_es ())
    return;
  check_numbers_in ("C.UTF-8", "8.25");
  check_numbers_in ("es_ES.UTF-8", "8,25");
  if (have_es_MX)
    check_numbers_in ("es_MX.UTF-8", "8.25");
}

/* Dates in e-mail and PDFs follow the patient's language, whatever the
 * program's: long forms, no ISO dates. */
static void
test_patient_dates (void)
{
  g_autofree char *es = cp_language_format_date ("2026-11-22", "es");
  g_autofree char *en = cp_language_format_date ("2026-11-22", "en");
  g_autofree char *first = cp_language_format_date ("2026-01-01", "es");
  g_autofree char *bad = cp_language_format_date ("2026-02-30", "en");
  g_autofree char *noon = cp_language_format_time ("2026-11-22T12:05:00Z", "en");

  g_assert_cmpstr (es, ==, "22 de noviembre de 2026");
  g_assert_cmpstr (en, ==, "November 22, 2026");
  g_assert_cmpstr (first, ==, "1 de enero de 2026");
  g_assert_cmpstr (bad, ==, "2026-02-30");
  {
    g_autofree char *short_es = cp_language_format_date_short ("2026-09-05", "es");
    g_autofree char *short_en = cp_language_format_date_short ("2026-09-05", "en");

    g_assert_cmpstr (short_es, ==, "5 sept 2026");
    g_assert_cmpstr (short_en, ==, "Sep 5, 2026");
  }
  /* The hospital's zone decides the day: the 21st to the 23rd. */
  g_assert_true (g_str_has_prefix (noon, "November 2"));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* gtk_init() sets the locale from the environment: choose it first. */
  have_es_MX = setlocale (LC_ALL, "es_MX.UTF-8") != NULL;
  have_es_ES = setlocale (LC_ALL, "es_ES.UTF-8") != NULL;
  setlocale (LC_ALL, "C.UTF-8");
  if (have_es_ES)
    {
      g_setenv ("LC_ALL", "es_ES.UTF-8", TRUE);
      g_setenv ("LANG", "es_ES.UTF-8", TRUE);
      g_setenv ("LANGUAGE", "es", TRUE);
    }
  compile_catalog ();
  test_app_init (&argc, &argv);

  g_test_add_func ("/carepay/i18n/catalogs-check", test_catalogs_check);
  g_test_add_func ("/carepay/i18n/potfiles-complete", test_potfiles_complete);
  g_test_add_func ("/carepay/i18n/strings-es", test_strings_es);
  g_test_add_func ("/carepay/i18n/money-es", test_money_es);
  g_test_add_func ("/carepay/i18n/dates-es", test_dates_es);
  g_test_add_func ("/carepay/i18n/window-es", test_window_es);
  g_test_add_func ("/carepay/i18n/numbers-es", test_numbers_es);
  g_test_add_func ("/carepay/i18n/patient-dates", test_patient_dates);
  ret = g_test_run ();
  remove_catalog ();
  return ret;
}
