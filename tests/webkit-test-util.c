/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gdk/x11/gdkx.h>

#include "webkit-test-util.h"

gboolean
test_web_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
test_web_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  guint id = g_timeout_add (10, test_web_tick, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
xdo_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, NULL));
  *done = TRUE;
}

/* xdotool with `argv` (NULL-terminated, from argv[1]); with `blocking`, our
 * main loop waits meanwhile and takes the events afterwards. */
static void
xdo_valist (gboolean    blocking,
            const char *first,
            va_list     rest)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) "xdotool");
  for (const char *a = first; a != NULL; a = va_arg (rest, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);
  if (blocking)
    {
      int status = 0;

      g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      test_web_spin (30);
    }
  else
    {
      g_autoptr(GSubprocess) process = NULL;
      gboolean done = FALSE;

      process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
      g_assert_no_error (error);
      g_subprocess_wait_check_async (process, NULL, xdo_done, &done);
      WAIT_UNTIL (done, 60);
      test_web_spin (50);
    }
}

void
test_web_xdo (const char *first,
              ...)
{
  va_list rest;

  va_start (rest, first);
  xdo_valist (FALSE, first, rest);
  va_end (rest);
}

/* For test_web_type_card(): blocking as its flags say. */
static void
card_xdo (TestWebCardFlags  flags,
          const char       *first,
          ...)
{
  va_list rest;

  va_start (rest, first);
  xdo_valist ((flags & TEST_WEB_CARD_BLOCKING_XDO) != 0, first, rest);
  va_end (rest);
}

char *
test_web_window_xid (GtkWidget *widget)
{
  GdkSurface *surface = gtk_native_get_surface (gtk_widget_get_native (widget));

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  return g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
}

static void
click_xdo (GtkWidget        *widget,
           double            x,
           double            y,
           const char       *button,
           TestWebCardFlags  flags)
{
  GtkNative *native = gtk_widget_get_native (widget);
  g_autofree char *xid = test_web_window_xid (widget);
  g_autofree char *px = NULL;
  g_autofree char *py = NULL;
  graphene_point_t p;
  double sx, sy;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT ((float) x, (float) y), &p));
  gtk_native_get_surface_transform (native, &sx, &sy);
  px = g_strdup_printf ("%d", (int) (p.x + sx));
  py = g_strdup_printf ("%d", (int) (p.y + sy));
  card_xdo (flags, "mousemove", "--window", xid, px, py, NULL);
  card_xdo (flags, "click", button, NULL);
}

void
test_web_click (GtkWidget  *widget,
                double      x,
                double      y,
                const char *button)
{
  click_xdo (widget, x, y, button, TEST_WEB_CARD_DEFAULT);
}

static GtkWidget *
find_pay_button (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), "payment.submit") == 0)
        return child;
      if ((found = find_pay_button (child)) != NULL)
        return found;
    }
  return NULL;
}

void
test_web_click_pay (CpPaymentView *view)
{
  GtkWidget *button = find_pay_button (GTK_WIDGET (view));

  g_assert_nonnull (button);
  WAIT_UNTIL (gtk_widget_is_sensitive (button), 30);
  test_web_click (button, gtk_widget_get_width (button) / 2.0, gtk_widget_get_height (button) / 2.0, "1");
}

void
test_web_import_window (GtkWidget  *widget,
                        const char *name)
{
  const char *dir = g_getenv ("CAREPAY_SCREENSHOT_DIR");
  g_autofree char *xid = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (dir == NULL || *dir == '\0')
    return;
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  xid = test_web_window_xid (widget);
  {
    const char *argv[] = { "import", "-window", xid, path, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("Saved %s", path);
}

typedef struct {
  JSCValue *value;
  GError   *error;
  gboolean  done;
} JsResult;

static void
js_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  JsResult *r = user_data;

  r->value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (object), result, &r->error);
  r->done = TRUE;
}

JSCValue *
test_web_run_js (WebKitWebView *web_view,
                 const char    *script)
{
  JsResult r = { 0 };

  webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, NULL, js_done, &r);
  WAIT_UNTIL (r.done, 30);
  g_assert_no_error (r.error);
  return r.value;
}

graphene_rect_t
test_web_card_frame (WebKitWebView *web_view)
{
  g_autoptr(JSCValue) box = test_web_run_js (web_view,
                                             "(() => { const r = document.querySelector('#payment-element iframe').getBoundingClientRect();"
                                             "  return [r.left, r.top, r.width, r.height]; })()");
  double v[4];

  g_assert_true (jsc_value_is_array (box));
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(JSCValue) item = jsc_value_object_get_property_at_index (box, i);
      v[i] = jsc_value_to_double (item);
    }
  return GRAPHENE_RECT_INIT (v[0], v[1], v[2], v[3]);
}

gboolean
test_web_wait_complete (CpPaymentView *view,
                        guint          seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!cp_payment_view_get_complete (view) && g_get_monotonic_time () < end)
    test_web_spin (50);
  return cp_payment_view_get_complete (view);
}

void
test_web_type_card (CpPaymentView    *view,
                    const char       *number,
                    TestWebCardFlags  flags)
{
  WebKitWebView *web_view = cp_payment_view_get_web_view (view);

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      graphene_rect_t frame = GRAPHENE_RECT_INIT (0, 0, 0, 0);

      /* Settled: the same place twice running. */
      for (guint i = 0; i < 20; i++)
        {
          graphene_rect_t again;

          test_web_spin (250);
          again = test_web_card_frame (web_view);
          if (graphene_rect_equal (&frame, &again) && again.size.height > 0)
            break;
          frame = again;
        }

      if (flags & TEST_WEB_CARD_FOCUS_WINDOW)
        {
          g_autofree char *xid = test_web_window_xid (GTK_WIDGET (web_view));

          card_xdo (flags, "windowfocus", "--sync", xid, NULL);
        }
      /* The card number field is under the element's row of payment methods;
       * like Stripe's, the element moves on by itself once a field is full,
       * and Tab passes the country. */
      click_xdo (GTK_WIDGET (web_view), frame.origin.x + 100, frame.origin.y + 120, "1", flags);
      if (flags & TEST_WEB_CARD_FOCUS_WINDOW)
        test_web_spin (300);  /* the click's focus reaches the iframe */
      card_xdo (flags, "key", "ctrl+a", "BackSpace", NULL);
      card_xdo (flags, "type", "--delay", "30", number, NULL);
      if (!(flags & TEST_WEB_CARD_NUMBER_ONLY))
        {
          card_xdo (flags, "key", "ctrl+a", "BackSpace", NULL);
          card_xdo (flags, "type", "--delay", "30", "12 / 34", NULL);
          card_xdo (flags, "key", "ctrl+a", "BackSpace", NULL);
          card_xdo (flags, "type", "--delay", "30", "123", NULL);
          card_xdo (flags, "key", "Tab", NULL);
          card_xdo (flags, "key", "Tab", NULL);
          card_xdo (flags, "key", "ctrl+a", "BackSpace", NULL);
          card_xdo (flags, "type", "--delay", "30", "12345", NULL);
        }
      if (test_web_wait_complete (view, 15))
        return;
      g_test_message ("The card was not complete after typing; typing it again");
    }
}
