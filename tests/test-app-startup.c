/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Start-up (issue #8), under Xvfb: the staff window offers its sign-in page
 * while the database still opens, and a sign-in submitted meanwhile goes on
 * once it is open; the `carepay` executable shows that page without loading
 * WebKitGTK or the payment view module, which `carepay --kiosk` does load,
 * nor libcurl (opened at the first mail: src/app/cp-curl-deferred.c; mail
 * through it is tested by test-mail-deferred-curl) or librsvg (the icons of
 * those pages are PNG: data/icons/resource/README.md). Speed itself is
 * measured by tests/bench-startup, never asserted here. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "cp-invoice-list.h"
#include "cp-invoice-row-widget.h"
#include "cp-money.h"
#include "cp-window.h"
#include "sqlite-test-util.h"
#include "test-app-util.h"
#include "test-signin-util.h"

static void
signed_in_cb (CpSigninPage *page,
              CpStaff      *staff,
              char        **out_username)
{
  g_free (*out_username);
  *out_username = g_strdup (staff->username);
}

static void
test_signin_before_store (void)
{
  TestDb db = { 0 };
  CpWindow *window = g_object_ref_sink (cp_window_new (NULL));
  CpSigninPage *page = cp_window_get_signin_page (window);
  GtkWidget *user_entry = find_widget (GTK_WIDGET (page), GTK_TYPE_ENTRY, NULL, NULL);
  GtkWidget *pass_entry = find_widget (GTK_WIDGET (page), GTK_TYPE_PASSWORD_ENTRY, NULL, NULL);
  GtkWidget *signin_button = find_action_button (GTK_WIDGET (page), "signin.submit");
  g_autofree char *signed_in = NULL;
  g_autofree char *labels = NULL;

  g_assert_cmpstr (cp_window_get_page (window), ==, "loading");
  cp_window_show_signin (window);
  g_assert_cmpstr (cp_window_get_page (window), ==, "signin");
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (page, "signed-in", G_CALLBACK (signed_in_cb), &signed_in);

  /* Typed and submitted before the database is open: the page waits. */
  gtk_editable_set_text (GTK_EDITABLE (user_entry), "clerk");
  gtk_editable_set_text (GTK_EDITABLE (pass_entry), "clerk");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "signin.submit", NULL));
  g_assert_true (cp_signin_page_get_busy (page));
  /* No spinner for a sign-in that ends at once... */
  g_assert_true (gtk_widget_get_sensitive (signin_button));
  spin_briefly (400);
  g_assert_true (cp_signin_page_get_busy (page));
  g_assert_null (signed_in);
  g_assert_null (cp_signin_page_get_error (page));
  /* ...but this one is slow, and says so */
  g_assert_false (gtk_widget_get_sensitive (signin_button));
  labels = collect_labels (signin_button);
  g_assert_nonnull (strstr (labels, "Signing In"));

  /* The database opens: the same sign-in goes on by itself. */
  test_db_open (&db, 0);
  cp_window_set_store (window, db.store);
  SPIN_UNTIL (signed_in != NULL, 60);
  g_assert_cmpstr (signed_in, ==, "clerk");
  SPIN_UNTIL (g_strcmp0 (cp_window_get_page (window), "main") == 0, 30);

  /* A store set while nothing is pending only resets the page. */
  g_assert_false (cp_signin_page_get_busy (page));
  g_assert_true (gtk_widget_get_sensitive (signin_button));

  gtk_window_destroy (GTK_WINDOW (window));
  spin_briefly (100);
  g_assert_finalize_object (window);
  test_db_close (&db);
}

static void
test_signin_before_store_wrong_password (void)
{
  TestDb db = { 0 };
  CpWindow *window = g_object_ref_sink (cp_window_new (NULL));
  CpSigninPage *page = cp_window_get_signin_page (window);
  GtkWidget *user_entry = find_widget (GTK_WIDGET (page), GTK_TYPE_ENTRY, NULL, NULL);
  GtkWidget *pass_entry = find_widget (GTK_WIDGET (page), GTK_TYPE_PASSWORD_ENTRY, NULL, NULL);

  cp_window_show_signin (window);
  gtk_window_present (GTK_WINDOW (window));
  gtk_editable_set_text (GTK_EDITABLE (user_entry), "clerk");
  gtk_editable_set_text (GTK_EDITABLE (pass_entry), "not-the-password");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "signin.submit", NULL));
  g_assert_true (cp_signin_page_get_busy (page));

  test_db_open (&db, 0);
  cp_window_set_store (window, db.store);
  SPIN_UNTIL (!cp_signin_page_get_busy (page), 60);
  g_assert_nonnull (cp_signin_page_get_error (page));
  g_assert_cmpstr (cp_window_get_page (window), ==, "signin");
  g_assert_null (cp_window_get_staff (window));

  gtk_window_destroy (GTK_WINDOW (window));
  spin_briefly (100);
  g_assert_finalize_object (window);
  test_db_close (&db);
}

/* --- the executable ------------------------------------------------------ */

typedef struct {
  GSubprocess      *process;
  GDataInputStream *err;
  char             *dir;
  GString          *complaints;  /* its GLib warnings and criticals, as read */
  gboolean          no_publishable_key;
} App;

#define END_OF_OUTPUT "\n"

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  char **out_line = user_data;
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);

  /* A line read never holds its newline: "\n" stands for the end */
  *out_line = line != NULL ? line : g_strdup (END_OF_OUTPUT);
}

/* Reads the app's stderr up to the first line that holds `needle`, keeping
 * the GLib warnings and criticals read on the way in app->complaints. */
static void
wait_for_line (App        *app,
               const char *needle)
{
  for (;;)
    {
      g_autofree char *line = NULL;

      g_data_input_stream_read_line_async (app->err, G_PRIORITY_DEFAULT, NULL, line_cb, &line);
      SPIN_UNTIL (line != NULL, 120);
      if (g_str_equal (line, END_OF_OUTPUT))
        g_error ("carepay ended before printing “%s”", needle);
      if (strstr (line, needle) != NULL)
        return;
      if (strstr (line, "-CRITICAL **") != NULL || strstr (line, "-WARNING **") != NULL)
        g_string_append_printf (app->complaints, "%s\n", line);
    }
}

/* The same, up to the timing marker `name` (cp-timing.h). */
static void
wait_for_marker (App        *app,
                 const char *name)
{
  g_autofree char *marker = g_strdup_printf ("carepay-timing %s ", name);

  wait_for_line (app, marker);
}

static char *
maps_of (App *app)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/maps", g_subprocess_get_identifier (app->process));
  g_autoptr(GError) error = NULL;
  char *maps = NULL;

  g_file_get_contents (path, &maps, NULL, &error);
  g_assert_no_error (error);
  return maps;
}

/* `seeded`: with the demo invoices, so the list has rows to load and lay
 * out behind the sign-in page; `damaged`: and that table's first page
 * overwritten. */
static void
app_start_full (App        *app,
                gboolean    kiosk,
                gboolean    seeded,
                const char *damaged)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *data = NULL;
  const char *exe = CAREPAY_BIN;

  app->dir = g_dir_make_tmp ("carepay-startup-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (app->dir, "carepay.db", NULL);
  data = g_build_filename (app->dir, "data", NULL);
  if (seeded)
    {
      g_autofree char *cmd = g_strdup_printf ("'%s' --db '%s' seed-demo", CAREPAYCTL, db);
      g_autofree char *out = NULL;  /* not on our stdout: TAP */

      g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  if (damaged != NULL)
    test_damage_table (db, damaged);
  g_subprocess_launcher_setenv (launcher, "CAREPAY_TRACE_TIMING", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  /* Test mode with a key from the environment: no simulator, no demo data. */
  g_subprocess_launcher_setenv (launcher, "CAREPAY_STRIPE_SECRET_KEY", "sk_test_startup", TRUE);
  g_subprocess_launcher_setenv (launcher, "CAREPAY_STRIPE_API_BASE", "http://127.0.0.1:9", TRUE);
  if (!app->no_publishable_key)
    g_subprocess_launcher_setenv (launcher, "CAREPAY_STRIPE_PUBLISHABLE_KEY", "pk_test_startup", TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "CAREPAY_STRIPE_PUBLISHABLE_KEY");
  app->complaints = g_string_new (NULL);
  if (kiosk)
    app->process = g_subprocess_launcher_spawn (launcher, &error, exe, "--kiosk", "--db", db, NULL);
  else
    app->process = g_subprocess_launcher_spawn (launcher, &error, exe, "--db", db, NULL);
  g_assert_no_error (error);
  app->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (app->process));
}

static void
app_start (App      *app,
           gboolean  kiosk,
           gboolean  seeded)
{
  app_start_full (app, kiosk, seeded, NULL);
}

/* Asks it to quit and waits until it has */
static void
app_end (App *app)
{
  g_subprocess_send_signal (app->process, SIGTERM);
  g_subprocess_wait (app->process, NULL, NULL);
}

static void
app_stop (App *app)
{
  g_autofree char *cmd = NULL;

  app_end (app);
  g_string_free (app->complaints, TRUE);
  g_clear_object (&app->err);
  g_clear_object (&app->process);
  cmd = g_strdup_printf ("rm -rf '%s'", app->dir);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_free (app->dir);
}

static void
test_no_webkit_at_signin (void)
{
  App app = { 0 };
  g_autofree char *maps = NULL;

  app_start (&app, FALSE, FALSE);
  wait_for_marker (&app, "signin-painted");
  spin_briefly (500);
  maps = maps_of (&app);
  g_assert_null (strstr (maps, "libwebkitgtk-6.0"));
  g_assert_null (strstr (maps, "libjavascriptcoregtk"));
  g_assert_null (strstr (maps, "libcarepay-payview"));
  app_stop (&app);
}

static void
test_kiosk_loads_payment_view (void)
{
  App app = { 0 };
  g_autofree char *maps = NULL;

  app_start (&app, TRUE, FALSE);
  /* The kiosk window is in the module: once it is on screen, both are loaded. */
  wait_for_marker (&app, "main");
  for (int i = 0; i < 600; i++)
    {
      g_free (maps);
      maps = maps_of (&app);
      if (strstr (maps, "libcarepay-payview") != NULL && strstr (maps, "libwebkitgtk-6.0") != NULL)
        break;
      spin_briefly (100);
    }
  g_assert_nonnull (strstr (maps, "libcarepay-payview"));
  g_assert_nonnull (strstr (maps, "libwebkitgtk-6.0"));
  app_stop (&app);
}

/* `carepay --kiosk` as installed: the kiosk in the module gets the
 * executable's store and ledger, and loads the payment page ahead of the
 * first patient. (Two copies of the core, one in the module, once left it
 * on "Getting ready…" for good: its CP_IS_STORE() refused the store.) */
static void
test_kiosk_ready (void)
{
  App app = { 0 };

  app_start (&app, TRUE, TRUE);
  wait_for_marker (&app, "payview-page-loaded");
  g_assert_cmpstr (app.complaints->str, ==, "");
  app_stop (&app);
}

/* A kiosk set up with a secret key but not the publishable one (Stripe's card
 * form needs it) says it cannot take cards, without a critical on the way. */
static void
test_kiosk_without_publishable_key (void)
{
  App app = { .no_publishable_key = TRUE };

  app_start (&app, TRUE, TRUE);
  /* From its first line: Stripe may be set up before or after the store opens */
  wait_for_line (&app, "publishable key is not set up");
  g_assert_null (strstr (app.complaints->str, "-CRITICAL **"));
  app_stop (&app);
}

static void
test_no_curl_no_rsvg_at_signin (void)
{
  App app = { 0 };
  g_autofree char *maps = NULL;

  app_start (&app, FALSE, TRUE);
  wait_for_marker (&app, "signin-painted");
  /* The main page is built and laid out in idle time after that frame. */
  wait_for_marker (&app, "warm-up-done");
  spin_briefly (300);
  maps = maps_of (&app);
  g_assert_null (strstr (maps, "libcurl"));
  g_assert_null (strstr (maps, "librsvg"));
  g_assert_null (strstr (maps, "libpixbufloader-svg"));
  app_stop (&app);
}

/* The icons GTK finds in the app's resources instead of Adwaita's SVGs:
 * under names of their own, in the sizes the spinners and avatar use. */
static void
test_resource_icons (void)
{
  static const char *paths[] = {
    "/org/stingrays/CarePay/icons/16x16/status/cp-process-working-symbolic.symbolic.png",
    "/org/stingrays/CarePay/icons/32x32/status/cp-process-working-symbolic.symbolic.png",
    "/org/stingrays/CarePay/icons/64x64/status/cp-process-working-symbolic.symbolic.png",
    "/org/stingrays/CarePay/icons/16x16/status/cp-avatar-default-symbolic.symbolic.png",
  };
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      gsize size = 0;

      g_assert_true (g_resources_get_info (paths[i], G_RESOURCE_LOOKUP_FLAGS_NONE, &size, NULL, NULL));
      g_assert_cmpuint (size, >, 0);
    }

  /* As GtkApplication does with its resource base path. */
  gtk_icon_theme_add_resource_path (theme, "/org/stingrays/CarePay/icons");
  for (int size = 12; size <= 64; size += 4)
    {
      g_autoptr(GtkIconPaintable) spinner =
        gtk_icon_theme_lookup_icon (theme, "cp-process-working-symbolic", NULL, size, 1, GTK_TEXT_DIR_NONE, 0);
      g_autoptr(GFile) file = gtk_icon_paintable_get_file (spinner);
      g_autofree char *uri = file != NULL ? g_file_get_uri (file) : NULL;

      g_assert_nonnull (uri);
      g_assert_true (g_str_has_prefix (uri, "resource:///org/stingrays/CarePay/icons/"));
      g_assert_true (g_str_has_suffix (uri, ".symbolic.png"));
      g_assert_true (gtk_icon_paintable_is_symbolic (spinner));
    }
}

/* What the whole list shows once loaded: its number of rows, and the
 * outstanding card's amount (returned). */
static char *
whole_list_expected (CpStore *store,
                     guint   *n_rows)
{
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  CpInvoiceTotals totals = { 0 };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  char *outstanding;

  rows = cp_store_list_invoices (store, &query, &error);
  g_assert_no_error (error);
  *n_rows = rows->len;
  g_assert_true (cp_store_get_totals (store, &totals, &error));
  g_assert_no_error (error);
  outstanding = cp_money_format (totals.outstanding, totals.currency);
  cp_invoice_totals_clear (&totals);
  return outstanding;
}

/* A staff window on `store`, presented: its sign-in page shows. */
static CpWindow *
present_window (CpStore *store)
{
  CpWindow *window = g_object_ref_sink (cp_window_new (NULL));

  cp_window_set_store (window, store);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* Types the demo clerk's name and password, submits, and waits for the main page. */
static void
sign_in_clerk (CpWindow *window)
{
  test_sign_in_submit (window, "clerk", "clerk");
  SPIN_UNTIL (g_strcmp0 (cp_window_get_page (window), "main") == 0, 60);
}

/* Waits until the list holds all `n_rows` and its cards show `outstanding`. */
static void
wait_for_whole_list (CpInvoiceList *list,
                     guint          n_rows,
                     const char    *outstanding)
{
  g_autofree char *labels = NULL;

  SPIN_UNTIL (!cp_invoice_list_get_loading (list) &&
              g_list_model_get_n_items (cp_invoice_list_get_model (list)) == n_rows, 30);
  g_assert_cmpstr (cp_invoice_list_get_state (list), ==, "list");
  SPIN_UNTIL ((g_free (labels), labels = collect_labels (GTK_WIDGET (list)),
               labels_have (labels, outstanding)), 30);
}

static void
close_window (CpWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  spin_briefly (100);
  g_assert_finalize_object (window);
}

/* The list's first page (a few dozen rows) comes first and the whole index
 * replaces it; the summary cards load after that first page. With more
 * invoices than one page, every one ends up listed and the cards filled.
 * The window is painted before signing in, so (as at a real start) the main
 * page is built, and the list loaded and laid out, behind the sign-in page
 * (cp-window.c). */
static void
test_first_page_then_all (void)
{
  TestDb db = { 0 };
  CpWindow *window;
  g_autofree char *outstanding = NULL;
  guint n_rows;

  test_db_open (&db, 130);
  outstanding = whole_list_expected (db.store, &n_rows);
  g_assert_cmpuint (n_rows, >, 100);

  window = present_window (db.store);
  spin_briefly (500);
  g_assert_cmpstr (cp_window_get_page (window), ==, "signin");
  sign_in_clerk (window);
  wait_for_whole_list (cp_window_get_invoice_list (window), n_rows, outstanding);

  close_window (window);
  test_db_close (&db);
}

/* Signed in while the list still reads its index (begun behind the sign-in
 * page, cp-window.c): that read goes on, it is not begun again, and the
 * whole list and its cards come from it. The password check does not wait
 * for it (the index is read on the store's reading connection). */
static void
test_signin_during_preload (void)
{
  TestDb db = { 0 };
  CpWindow *window;
  CpInvoiceList *list;
  g_autofree char *outstanding = NULL;
  guint n_rows;

  test_db_open (&db, 10000);
  outstanding = whole_list_expected (db.store, &n_rows);

  window = present_window (db.store);
  list = cp_window_get_invoice_list (window);
  SPIN_UNTIL (cp_invoice_list_get_loading (list), 30);
  sign_in_clerk (window);
  g_test_message ("Signed in %s the index was read", cp_invoice_list_get_loading (list) ? "before" : "after");
  wait_for_whole_list (list, n_rows, outstanding);
  /* Nothing more is read: the list stays as it is */
  spin_briefly (300);
  g_assert_false (cp_invoice_list_get_loading (list));

  close_window (window);
  test_db_close (&db);
}

/* The first pending invoice of `rows` (CpInvoiceSummary): one to void. */
static const CpInvoiceSummary *
first_pending (GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    if (((CpInvoiceSummary *) rows->pdata[i])->status == CP_INVOICE_STATUS_PENDING)
      return rows->pdata[i];
  g_assert_not_reached ();
}

/* Another program voids an invoice while the list reads every row behind
 * the sign-in page (the read held at a pause, past the start of its
 * snapshot), and the clerk signs in before that read ends: the sign-in keeps
 * the read, whose rows miss the change, and the window, comparing the
 * store's data version at sign-in with the one the list read at, reads them
 * again. */
static void
test_changed_during_preload (void)
{
  TestDb db = { 0 };
  CpWindow *window;
  CpInvoiceList *list;
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(CpSqliteStore) other = NULL;
  g_autoptr(GError) error = NULL;
  const CpInvoiceSummary *to_void = NULL;
  guint cancelled = 0;

  test_db_open (&db, 300);
  rows = cp_store_list_invoices (db.store, &query, &error);
  g_assert_no_error (error);
  to_void = first_pending (rows);
  for (guint i = 0; i < rows->len; i++)
    cancelled += ((CpInvoiceSummary *) rows->pdata[i])->status == CP_INVOICE_STATUS_CANCELLED;

  cp_sqlite_store_pause_reads (CP_SQLITE_STORE (db.store), 60000);
  window = present_window (db.store);
  list = cp_window_get_invoice_list (window);
  SPIN_UNTIL (cp_invoice_list_get_loading (list), 30);
  spin_briefly (300);
  g_assert_true (cp_invoice_list_get_loading (list));

  other = cp_sqlite_store_open (db.path, CP_SQLITE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (cp_store_set_invoice_voided (CP_STORE (other), to_void->id, TRUE, &error));
  g_assert_no_error (error);

  /* Signing in resumes the read once its first frame is painted. */
  sign_in_clerk (window);
  g_assert_true (cp_invoice_list_get_loading (list));
  SPIN_UNTIL (!cp_invoice_list_get_loading (list), 30);
  g_test_message ("The read kept at sign-in listed %u cancelled (%u before the change)",
                  cp_invoice_list_get_status_count (list, CP_INVOICE_STATUS_CANCELLED), cancelled);
  SPIN_UNTIL (!cp_invoice_list_get_loading (list) &&
              cp_invoice_list_get_status_count (list, CP_INVOICE_STATUS_CANCELLED) == cancelled + 1, 30);
  g_assert_cmpuint (g_list_model_get_n_items (cp_invoice_list_get_model (list)), ==, rows->len);

  close_window (window);
  test_db_close (&db);
}

/* The invoice numbers the list's rows (drawn, one widget a row) show, one a
 * line as collect_labels() gives them. */
static void
collect_row_numbers_into (GtkWidget *widget,
                          GString   *out)
{
  if (CP_IS_INVOICE_ROW_WIDGET (widget))
    {
      const char *number = cp_invoice_row_widget_get_cell (CP_INVOICE_ROW_WIDGET (widget),
                                                           CP_INVOICE_SORT_NUMBER, NULL, NULL);

      if (number != NULL)
        g_string_append_printf (out, "%s\n", number);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_row_numbers_into (child, out);
}

static char *
collect_row_numbers (GtkWidget *root)
{
  GString *out = g_string_new ("\n");

  collect_row_numbers_into (root, out);
  return g_string_free (out, FALSE);
}

/* While the sign-in page shows, the list loads its rows and the main page is
 * laid out behind it (cp-window.c), none of it on screen: signing in then
 * only switches and paints. A change made meanwhile (here, an invoice voided
 * by another program) is in the list after sign-in all the same. */
static void
test_list_ready_before_signin (void)
{
  TestDb db = { 0 };
  CpWindow *window;
  CpInvoiceList *list;
  CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *labels = NULL;
  const CpInvoiceSummary *to_void = NULL;
  guint n_shown = 0;
  guint cancelled;

  test_db_open (&db, 0);
  rows = cp_store_list_invoices (db.store, &query, &error);
  g_assert_no_error (error);
  to_void = first_pending (rows);

  window = g_object_ref_sink (cp_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  list = cp_window_get_invoice_list (window);
  cp_window_set_store (window, db.store);
  gtk_window_present (GTK_WINDOW (window));

  SPIN_UNTIL (!cp_invoice_list_get_loading (list) &&
              g_list_model_get_n_items (cp_invoice_list_get_model (list)) == rows->len &&
              gtk_widget_get_width (GTK_WIDGET (list)) > 0, 30);
  g_assert_cmpstr (cp_window_get_page (window), ==, "signin");
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (list)));
  g_assert_null (cp_window_get_staff (window));
  /* Its rows are made, at the size the page will have. */
  SPIN_UNTIL ((g_free (labels), labels = collect_row_numbers (GTK_WIDGET (list)),
               labels_have (labels, ((CpInvoiceSummary *) rows->pdata[0])->number)), 10);
  for (guint i = 0; i < rows->len; i++)
    n_shown += labels_have (labels, ((CpInvoiceSummary *) rows->pdata[i])->number);
  g_assert_cmpuint (n_shown, >, 1);

  cancelled = cp_invoice_list_get_status_count (list, CP_INVOICE_STATUS_CANCELLED);
  g_assert_true (cp_store_set_invoice_voided (db.store, to_void->id, TRUE, &error));
  g_assert_no_error (error);

  sign_in_clerk (window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (list)));
  SPIN_UNTIL (!cp_invoice_list_get_loading (list) &&
              cp_invoice_list_get_status_count (list, CP_INVOICE_STATUS_CANCELLED) == cancelled + 1,
              30);
  g_assert_cmpuint (g_list_model_get_n_items (cp_invoice_list_get_model (list)), ==, rows->len);

  close_window (window);
  test_db_close (&db);
}

/* A file that opens but is damaged: the app signs nobody in to it unchecked.
 * It is checked in the background (PRAGMA quick_check: 0.3 s at 100,000
 * invoices) while the sign-in page shows; then the window says what a failed
 * open says (the kiosk: that it is not working), and the file is left
 * exactly as it was. */
static void
check_damaged_after_open (gboolean kiosk)
{
  App app = { 0 };
  g_autofree char *db = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  /* A table nothing reads before sign-in: only the check can find it */
  app_start_full (&app, kiosk, TRUE, "mail_log");
  db = g_build_filename (app.dir, "carepay.db", NULL);
  before = test_file_checksum (db);
  wait_for_marker (&app, "store-opened");
  /* SQLite's own words follow over more lines */
  wait_for_line (&app, "carepay.db is damaged");
  /* Still running, on its error page */
  spin_briefly (300);
  g_assert_nonnull (g_subprocess_get_identifier (app.process));

  app_end (&app);
  after = test_file_checksum (db);
  g_assert_cmpstr (after, ==, before);
  app_stop (&app);
}

static void
test_damaged_after_open (void)
{
  check_damaged_after_open (FALSE);
}

static void
test_kiosk_damaged_after_open (void)
{
  check_damaged_after_open (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  test_app_init (&argc, &argv);

  g_test_add_func ("/carepay/startup/signin-before-store", test_signin_before_store);
  g_test_add_func ("/carepay/startup/signin-before-store-wrong-password",
                   test_signin_before_store_wrong_password);
  g_test_add_func ("/carepay/startup/first-page-then-all", test_first_page_then_all);
  g_test_add_func ("/carepay/startup/signin-during-preload", test_signin_during_preload);
  g_test_add_func ("/carepay/startup/list-ready-before-signin", test_list_ready_before_signin);
  g_test_add_func ("/carepay/startup/changed-during-preload", test_changed_during_preload);
  g_test_add_func ("/carepay/startup/damaged-after-open", test_damaged_after_open);
  g_test_add_func ("/carepay/startup/kiosk-damaged-after-open", test_kiosk_damaged_after_open);
  g_test_add_func ("/carepay/startup/no-webkit-at-signin", test_no_webkit_at_signin);
  g_test_add_func ("/carepay/startup/kiosk-loads-payment-view", test_kiosk_loads_payment_view);
  g_test_add_func ("/carepay/startup/kiosk-ready", test_kiosk_ready);
  g_test_add_func ("/carepay/startup/kiosk-without-publishable-key", test_kiosk_without_publishable_key);
  g_test_add_func ("/carepay/startup/no-curl-no-rsvg-at-signin", test_no_curl_no_rsvg_at_signin);
  g_test_add_func ("/carepay/startup/resource-icons", test_resource_icons);
  return g_test_run ();
}
