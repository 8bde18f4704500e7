/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared helpers of the app tests (tests/test-app-*.c): a seeded store in a
 * temporary directory, main-loop spinning, widget lookup and screenshots. */
#pragma once

#include <string.h>
#include <glib/gstdio.h>
#include <adwaita.h>
#include <sqlite3.h>

#include "cp-seed.h"
#include "cp-sqlite-store.h"
#include "test-util.h"

#define TEST_TODAY "2026-11-22"

typedef struct {
  char     *dir;
  char     *path;
  CpStore  *store;
} TestDb;

static inline void
test_app_init (int    *argc,
               char ***argv)
{
  g_setenv ("CAREPAY_TODAY", TEST_TODAY, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (argc, argv, NULL);
  gtk_init ();
  adw_init ();

  /* AdwApplication loads style.css itself; the tests run without one. */
  {
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (provider, "/org/stingrays/CarePay/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (provider),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
}

static inline void
test_db_open (TestDb  *db,
              guint    n_invoices)
{
  g_autoptr(GError) error = NULL;
  CpSqliteStore *store;

  db->dir = g_dir_make_tmp ("carepay-app-XXXXXX", &error);
  g_assert_no_error (error);
  db->path = g_build_filename (db->dir, "carepay.db", NULL);
  store = cp_sqlite_store_open (db->path, CP_SQLITE_OPEN_CREATE, &error);
  g_assert_no_error (error);
  db->store = CP_STORE (store);
  cp_seed_demo (db->store, n_invoices, 42, TEST_TODAY, &error);
  g_assert_no_error (error);
}

static inline void
test_db_close (TestDb *db)
{
  g_assert_finalize_object (db->store);
  test_unlink_sqlite (db->path);
  g_rmdir (db->dir);
  g_free (db->path);
  g_free (db->dir);
}

static gboolean
test_timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Spins the main loop until `cond` holds, failing after `seconds`. */
#define SPIN_UNTIL(cond, seconds)                                              \
  G_STMT_START {                                                               \
    gboolean timed_out_ = FALSE;                                               \
    guint id_ = g_timeout_add_seconds ((seconds), test_timeout_cb, &timed_out_); \
    while (!(cond) && !timed_out_)                                             \
      g_main_context_iteration (NULL, TRUE);                                   \
    if (!timed_out_)                                                           \
      g_source_remove (id_);                                                   \
    if (!(cond))                                                               \
      g_error ("Timed out waiting for %s", #cond);                             \
  } G_STMT_END

/* Lets pending idles, layout and frames run. */
static inline void
spin_briefly (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, test_timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

typedef gboolean (*WidgetPredicate) (GtkWidget *widget, gconstpointer data);

static inline GtkWidget *
find_widget (GtkWidget       *root,
             GType            type,
             WidgetPredicate  predicate,
             gconstpointer    data)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && (predicate == NULL || predicate (root, data)))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, predicate, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline gboolean
has_action_name (GtkWidget     *widget,
                 gconstpointer  data)
{
  return g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

static inline GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action)
{
  return find_widget (root, GTK_TYPE_BUTTON, has_action_name, action);
}

/* The text of every visible label under `root`, one per line. */
static inline void
collect_labels_into (GtkWidget *root,
                     GString   *out)
{
  if (!gtk_widget_get_visible (root) && !GTK_IS_WINDOW (root))
    return;
  if (GTK_IS_LABEL (root))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (root)));
      g_string_append_c (out, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels_into (child, out);
}

static inline char *
collect_labels (GtkWidget *root)
{
  GString *out = g_string_new ("\n");

  collect_labels_into (root, out);
  return g_string_free (out, FALSE);
}

/* Whether `text` is one whole label among the collected ones. */
static inline gboolean
labels_have (const char *labels,
             const char *text)
{
  g_autofree char *needle = g_strdup_printf ("\n%s\n", text);

  return strstr (labels, needle) != NULL;
}

/* Renders the window as it is on screen into `dir`/`name`. */
static inline void
save_screenshot (GtkWidget  *window,
                 const char *dir,
                 const char *name)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  int width, height;

  spin_briefly (400);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  /* A toplevel has no parent to snapshot it: paint its CSS background, as
   * the compositor-less X server shows it, then run its snapshot vfunc. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    GdkRGBA bg = { 0.98, 0.98, 0.98, 1 };

    gtk_style_context_lookup_color (gtk_widget_get_style_context (window), "window_bg_color", &bg);
    gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, width, height));
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
  GTK_WIDGET_GET_CLASS (window)->snapshot (window, snapshot);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved %s (%dx%d)", path, width, height);
}

static inline int
audit_count (const char *db_path,
             const char *action)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int count = -1;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM audit_log WHERE action = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, action, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

/* The audit log's actions in the order they were written, comma-separated. */
static inline char *
audit_actions (const char *db_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *actions = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT action FROM audit_log ORDER BY id", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (actions, "%s%s", actions->len > 0 ? "," : "", sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (actions, FALSE);
}

/* The letters after "_" in a menu's labels (sections and submenus too). */
static inline void
test_collect_mnemonics (GMenuModel *menu,
                   GString    *letters,
                   GString    *report)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *label = NULL;
      const char *mark;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label) &&
          (mark = strchr (label, '_')) != NULL && mark[1] != '\0')
        {
          g_autofree char *letter = g_utf8_strdown (mark + 1, g_utf8_next_char (mark + 1) - (mark + 1));

          g_string_append_printf (report, "%s[%s] ", label, letter);
          g_string_append_printf (letters, "%s\n", letter);
        }
      for (const char *link_name = G_MENU_LINK_SECTION; link_name != NULL;
           link_name = g_str_equal (link_name, G_MENU_LINK_SECTION) ? G_MENU_LINK_SUBMENU : NULL)
        {
          g_autoptr(GMenuModel) sub = g_menu_model_get_item_link (menu, i, link_name);

          if (sub != NULL)
            test_collect_mnemonics (sub, letters, report);
        }
    }
}

/* Two items with one letter only move the focus between them: each item
 * of a menu needs a letter of its own. */
static inline void
test_assert_unique_mnemonics (GMenuModel *menu)
{
  g_autoptr(GString) letters = g_string_new (NULL);
  g_autoptr(GString) report = g_string_new (NULL);
  g_auto(GStrv) list = NULL;

  test_collect_mnemonics (menu, letters, report);
  g_test_message ("menu mnemonics: %s", report->str);
  list = g_strsplit (letters->str, "\n", -1);
  for (guint i = 0; list[i] != NULL && list[i][0] != '\0'; i++)
    for (guint j = i + 1; list[j] != NULL && list[j][0] != '\0'; j++)
      if (g_str_equal (list[i], list[j]))
        g_error ("Two menu items share the mnemonic “%s”: %s", list[i], report->str);
}

static inline gboolean
test_is_primary_menu (GtkWidget     *widget,
                 gconstpointer  data)
{
  return gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget));
}
