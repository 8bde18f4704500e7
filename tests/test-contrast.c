/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Colour contrast of our own CSS, measured as drawn. An AdwApplication with
 * the app's resource base path loads ui/style.css and its -dark, -hc and
 * -hc-dark variants exactly as `carepay` does; the kiosk window adds its own
 * stylesheet. Every badge, banner and coloured kiosk label is put on the
 * window, view and card backgrounds, rendered, and its text colour
 * (GtkStyleContext, alpha composited) compared with the pixel behind it:
 * 4.5:1 at least (WCAG AA for text), 7:1 in high contrast (AAA).
 *
 * Run twice by meson: as is (light, then dark) and with
 * ADW_DEBUG_HIGH_CONTRAST=1 (libadwaita 1.2's switch for what the
 * org.gnome.desktop.a11y.interface high-contrast key or the settings portal
 * say), which also saves screenshots when CAREPAY_SCREENSHOT_DIR is set. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cp-application.h"
#include "cp-invoice-list.h"
#include "cp-kiosk-window.h"
#include "cp-ledger.h"
#include "cp-window.h"
#include "test-app-util.h"
#include "test-signin-util.h"

static gboolean high_contrast;

/* --- measuring ------------------------------------------------------------ */

static double
channel_linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
luminance (const GdkRGBA *c)
{
  return 0.2126 * channel_linear (c->red) + 0.7152 * channel_linear (c->green) +
         0.0722 * channel_linear (c->blue);
}

/* WCAG 2 contrast ratio of two opaque colours. */
static double
contrast_ratio (const GdkRGBA *a,
                const GdkRGBA *b)
{
  double la = luminance (a), lb = luminance (b);

  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

static GdkRGBA
composite (const GdkRGBA *fg,
           const GdkRGBA *bg)
{
  return (GdkRGBA) {
    fg->red * fg->alpha + bg->red * (1 - fg->alpha),
    fg->green * fg->alpha + bg->green * (1 - fg->alpha),
    fg->blue * fg->alpha + bg->blue * (1 - fg->alpha),
    1,
  };
}

typedef struct {
  guchar *pixels;   /* B8G8R8A8 premultiplied, as gdk_texture_download gives */
  gsize   stride;
  int     width;
  int     height;
} Picture;

/* The window as drawn: its CSS background, then its contents. */
static void
picture_take (Picture   *pic,
              GtkWidget *window)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GdkRGBA bg = { 1, 1, 1, 1 };

  spin_briefly (300);
  pic->width = gtk_widget_get_width (window);
  pic->height = gtk_widget_get_height (window);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (window),
                                                 "window_bg_color", &bg));
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, pic->width, pic->height));
  GTK_WIDGET_GET_CLASS (window)->snapshot (window, snapshot);
  node = gtk_snapshot_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, pic->width, pic->height));
  pic->stride = (gsize) pic->width * 4;
  pic->pixels = g_malloc (pic->stride * pic->height);
  gdk_texture_download (texture, pic->pixels, pic->stride);
}

static GdkRGBA
picture_at (const Picture *pic,
            int            x,
            int            y)
{
  const guchar *p;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, pic->width);
  g_assert_cmpint (y, <, pic->height);
  p = pic->pixels + (gsize) y * pic->stride + (gsize) x * 4;
  /* The window's background is opaque, so every pixel is too. */
  return (GdkRGBA) { p[2] / 255.0, p[1] / 255.0, p[0] / 255.0, 1 };
}

static char *
rgba_text (const GdkRGBA *c)
{
  return g_strdup_printf ("#%02x%02x%02x", (int) lround (c->red * 255), (int) lround (c->green * 255),
                          (int) lround (c->blue * 255));
}

/* The contrast of `label`'s text with what is drawn just above its glyphs
 * (the top padding of a badge, or the surface behind a plain label). */
static double
label_contrast (const Picture *pic,
                GtkWidget     *window,
                GtkWidget     *label,
                GdkRGBA       *out_fg,
                GdkRGBA       *out_bg)
{
  graphene_rect_t bounds;
  GdkRGBA color;
  int x, y;

  g_assert_true (gtk_widget_compute_bounds (label, window, &bounds));
  x = (int) (bounds.origin.x + bounds.size.width / 2);
  /* Row 2: below a high-contrast outline (1 px), above the text's ascent. */
  y = (int) bounds.origin.y + 2;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (label), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  *out_bg = picture_at (pic, x, y);
  *out_fg = composite (&color, out_bg);
  return contrast_ratio (out_fg, out_bg);
}

/* --- the sample window ---------------------------------------------------- */

typedef struct {
  const char *what;
  const char *classes[4];
  gboolean    badge;
} Sample;

static const Sample staff_samples[] = {
  { "pending badge",        { "badge", "accent", "badge-pending" }, TRUE },
  { "paid badge",           { "badge", "success", "badge-paid" }, TRUE },
  { "overdue badge",        { "badge", "error", "badge-overdue" }, TRUE },
  { "partially paid badge", { "badge", "warning", "badge-partial" }, TRUE },
  { "cancelled badge",      { "badge", "dim", "badge-cancelled" }, TRUE },
  { "refunded badge",       { "badge", "refunded", "badge-refunded" }, TRUE },
  { "disputed badge",       { "badge", "error", "badge-disputed" }, TRUE },
};

static const Sample kiosk_samples[] = {
  { "kiosk hospital name", { "kiosk-hospital" }, FALSE },
  { "kiosk error",         { "kiosk-error" }, FALSE },
  { "kiosk overdue",       { "kiosk-overdue" }, FALSE },
};

typedef struct {
  GtkWidget *label;
  char      *what;
} Placed;

static GtkWidget *
sample_label (const Sample *s)
{
  GtkWidget *label = gtk_label_new ("Partially paid");

  gtk_widget_set_halign (label, GTK_ALIGN_START);
  for (guint i = 0; i < G_N_ELEMENTS (s->classes) && s->classes[i] != NULL; i++)
    gtk_widget_add_css_class (label, s->classes[i]);
  return label;
}

/* One row of every sample on a surface: the window itself ("" ), a list's
 * view background ("view") or a boxed-list card ("card"). */
static GtkWidget *
surface_row (const char   *surface,
             const Sample *samples,
             guint         n_samples,
             GArray       *placed)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);
  if (*surface != '\0')
    gtk_widget_add_css_class (row, surface);
  for (guint i = 0; i < n_samples; i++)
    {
      GtkWidget *label = sample_label (&samples[i]);
      Placed p = { label, g_strdup_printf ("%s on %s", samples[i].what, *surface ? surface : "window") };

      gtk_box_append (GTK_BOX (row), label);
      g_array_append_val (placed, p);
    }
  return row;
}

static GtkWidget *
banner (const char *css_class,
        GArray     *placed)
{
  GtkWidget *label = gtk_label_new ("Training mode");
  Placed p = { label, g_strdup_printf ("%s", css_class) };

  gtk_widget_add_css_class (label, css_class);
  g_array_append_val (placed, p);
  return label;
}

static void
placed_clear (gpointer data)
{
  g_free (((Placed *) data)->what);
}

static void
assert_contrast (GtkWidget  *window,
                 GArray     *placed,
                 const char *scheme)
{
  double minimum = high_contrast ? 7.0 : 4.5;
  Picture pic = { 0 };
  guint failures = 0;

  gtk_window_present (GTK_WINDOW (window));
  SPIN_UNTIL (gtk_widget_get_mapped (window), 10);
  picture_take (&pic, window);
  for (guint i = 0; i < placed->len; i++)
    {
      Placed *p = &g_array_index (placed, Placed, i);
      GdkRGBA fg, bg;
      double ratio = label_contrast (&pic, window, p->label, &fg, &bg);
      g_autofree char *fg_text = rgba_text (&fg);
      g_autofree char *bg_text = rgba_text (&bg);

      g_test_message ("%s%s, %s: %s on %s = %.2f:1", high_contrast ? "high contrast, " : "", scheme,
                      p->what, fg_text, bg_text, ratio);
      if (ratio < minimum)
        {
          g_printerr ("# too little contrast (%.2f < %.1f): %s, %s: %s on %s\n", ratio, minimum, scheme,
                      p->what, fg_text, bg_text);
          failures++;
        }
    }
  g_free (pic.pixels);
  g_assert_cmpuint (failures, ==, 0);
}

static void
set_dark (gboolean dark)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  adw_style_manager_set_color_scheme (manager, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                    : ADW_COLOR_SCHEME_FORCE_LIGHT);
  SPIN_UNTIL (adw_style_manager_get_dark (manager) == dark, 10);
  g_assert_cmpint (adw_style_manager_get_high_contrast (manager), ==, high_contrast);
  spin_briefly (100);
}

static void
check_staff (gboolean dark)
{
  g_autoptr(GArray) placed = g_array_new (FALSE, FALSE, sizeof (Placed));
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  g_array_set_clear_func (placed, placed_clear);
  set_dark (dark);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), surface_row ("", staff_samples, G_N_ELEMENTS (staff_samples), placed));
  gtk_box_append (GTK_BOX (box), surface_row ("view", staff_samples, G_N_ELEMENTS (staff_samples), placed));
  gtk_box_append (GTK_BOX (box), surface_row ("card", staff_samples, G_N_ELEMENTS (staff_samples), placed));
  gtk_box_append (GTK_BOX (box), banner ("training-banner", placed));
  gtk_box_append (GTK_BOX (box), banner ("live-banner", placed));
  /* libadwaita's own buttons keep its colours (white on #3584e4 is 3.9:1)
   * except in high contrast, where style-hc.css darkens them. */
  if (high_contrast)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      const char *classes[] = { "suggested-action", "destructive-action" };

      for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
        {
          GtkWidget *button = gtk_button_new_with_label ("Take Payment");
          Placed p = { gtk_button_get_child (GTK_BUTTON (button)), g_strdup (classes[i]) };

          gtk_widget_add_css_class (button, classes[i]);
          gtk_box_append (GTK_BOX (row), button);
          g_array_append_val (placed, p);
        }
      gtk_box_append (GTK_BOX (box), row);
    }
  gtk_window_set_child (GTK_WINDOW (window), box);
  assert_contrast (window, placed, dark ? "dark" : "light");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
check_kiosk (gboolean dark)
{
  g_autoptr(GArray) placed = g_array_new (FALSE, FALSE, sizeof (Placed));
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *error_banner;

  g_array_set_clear_func (placed, placed_clear);
  set_dark (dark);
  /* The kiosk window's classes, so that its stylesheet's selectors apply. */
  gtk_widget_add_css_class (window, "kiosk");
  gtk_box_append (GTK_BOX (box), surface_row ("", kiosk_samples, G_N_ELEMENTS (kiosk_samples), placed));
  gtk_box_append (GTK_BOX (box), surface_row ("card", kiosk_samples, G_N_ELEMENTS (kiosk_samples), placed));
  error_banner = surface_row ("kiosk-banner", kiosk_samples + 1, 1, placed);
  gtk_box_append (GTK_BOX (box), error_banner);
  gtk_window_set_child (GTK_WINDOW (window), box);
  assert_contrast (window, placed, dark ? "dark" : "light");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_staff_light (void)
{
  check_staff (FALSE);
}

static void
test_staff_dark (void)
{
  check_staff (TRUE);
}

static void
test_kiosk_light (void)
{
  check_kiosk (FALSE);
}

static void
test_kiosk_dark (void)
{
  check_kiosk (TRUE);
}

/* The ratio itself, against WCAG's own figures. */
static void
test_ratio (void)
{
  GdkRGBA black = { 0, 0, 0, 1 }, white = { 1, 1, 1, 1 }, grey = { 0x76 / 255.0, 0x76 / 255.0, 0x76 / 255.0, 1 };

  g_assert_cmpfloat_with_epsilon (contrast_ratio (&black, &white), 21.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (contrast_ratio (&white, &white), 1.0, 1e-9);
  /* #767676 on white: the lightest grey that passes AA, 4.54:1. */
  g_assert_cmpfloat_with_epsilon (contrast_ratio (&grey, &white), 4.54, 0.01);
}

/* --- screenshots ----------------------------------------------------------- */

static void
test_screenshots (void)
{
  const char *keep = g_getenv ("CAREPAY_SCREENSHOT_DIR");
  g_autofree char *tmp = NULL;
  const char *dir;
  g_autoptr(CpStripeConfig) config = NULL;
  g_autoptr(CpStripeClient) client = NULL;
  g_autoptr(CpLedger) ledger = NULL;
  TestDb db = { 0 };
  CpWindow *window;
  CpKioskWindow *kiosk;
  GtkWidget *page;

  if (!high_contrast)
    {
      g_test_skip ("screenshots are taken in the high-contrast run");
      return;
    }
  /* Kept in CAREPAY_SCREENSHOT_DIR when set, else taken and thrown away. */
  if (keep == NULL)
    tmp = g_dir_make_tmp ("carepay-contrast-XXXXXX", NULL);
  dir = keep != NULL ? keep : tmp;
  g_assert_nonnull (dir);
  g_mkdir_with_parents (dir, 0755);
  set_dark (FALSE);

  test_db_open (&db, 0);
  /* Nothing listens on port 1: no Stripe call gets anywhere. */
  config = cp_training_stripe_config_new ("http://127.0.0.1:1");
  client = cp_stripe_client_new (config, NULL, db.store);
  ledger = cp_ledger_new (db.store, client);
  window = g_object_ref_sink (cp_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  cp_window_set_store (window, db.store);
  cp_window_set_ledger (window, ledger, TRUE);
  gtk_window_present (GTK_WINDOW (window));
  page = GTK_WIDGET (cp_window_get_signin_page (window));
  SPIN_UNTIL (gtk_widget_get_mapped (page), 10);
  test_sign_in (window, "clerk");
  {
    CpInvoiceQuery query = CP_INVOICE_QUERY_INIT;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) rows = NULL;

    query.status = CP_INVOICE_STATUS_PARTIALLY_PAID;
    rows = cp_store_list_invoices (db.store, &query, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, >, 0);
    cp_window_open_invoice (window, ((CpInvoiceSummary *) rows->pdata[0])->id);
    SPIN_UNTIL (g_strcmp0 (cp_window_get_detail_page (window), "invoice") == 0, 10);
  }
  save_screenshot (GTK_WIDGET (window), dir, "high-contrast.png");
  gtk_window_destroy (GTK_WINDOW (window));

  kiosk = cp_kiosk_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (kiosk), 1024, 768);
  cp_kiosk_window_set_store (kiosk, db.store);
  cp_kiosk_window_set_ledger (kiosk, ledger);
  gtk_window_present (GTK_WINDOW (kiosk));
  SPIN_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (kiosk)), 10);
  save_screenshot (GTK_WIDGET (kiosk), dir, "kiosk-high-contrast.png");
  gtk_window_destroy (GTK_WINDOW (kiosk));

  spin_briefly (300);
  g_assert_finalize_object (window);
  g_clear_object (&ledger);
  g_clear_object (&client);
  test_db_close (&db);
  if (tmp != NULL)
    {
      g_autofree char *main_png = g_build_filename (tmp, "high-contrast.png", NULL);
      g_autofree char *kiosk_png = g_build_filename (tmp, "kiosk-high-contrast.png", NULL);

      g_assert_cmpint (g_unlink (main_png), ==, 0);
      g_assert_cmpint (g_unlink (kiosk_png), ==, 0);
      g_rmdir (tmp);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("CAREPAY_TODAY", TEST_TODAY, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);
  high_contrast = g_strcmp0 (g_getenv ("ADW_DEBUG_HIGH_CONTRAST"), "1") == 0;

  /* The app's own stylesheets, loaded by libadwaita from the resource base
   * path as in `carepay` (registering runs startup: GTK, libadwaita, CSS). */
  app = adw_application_new ("org.stingrays.CarePay.TestContrast", G_APPLICATION_NON_UNIQUE);
  g_application_set_resource_base_path (G_APPLICATION (app), RESOURCE_PREFIX);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  /* The kiosk's stylesheet is installed by its first window. */
  {
    CpKioskWindow *kiosk = cp_kiosk_window_new (NULL);

    gtk_window_destroy (GTK_WINDOW (kiosk));
  }

  g_test_add_func ("/carepay/contrast/ratio", test_ratio);
  g_test_add_func ("/carepay/contrast/staff-light", test_staff_light);
  g_test_add_func ("/carepay/contrast/staff-dark", test_staff_dark);
  g_test_add_func ("/carepay/contrast/kiosk-light", test_kiosk_light);
  g_test_add_func ("/carepay/contrast/kiosk-dark", test_kiosk_dark);
  g_test_add_func ("/carepay/contrast/screenshots", test_screenshots);
  return g_test_run ();
}
