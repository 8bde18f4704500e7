/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-audit-window.h"
#include "cp-reports-window.h"
#include "cp-import-dialog.h"
#include "cp-new-invoice-dialog.h"
#include "cp-sqlite-store.h"
#include "cp-timing.h"
#include "cp-ui-util.h"
#include "cp-window.h"

/* A screenful of rows and more: past it rows bring no new glyphs */
#define WARM_GLYPH_ROWS 30

struct _CpWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  CpStore              *store;
  CpLedger             *ledger;
  CpStaff              *staff;
  GThread              *audit_thread;   /* writing the last sign-in or sign-out entry */
  gint64                pending_select_id;
  gboolean              patient_from_invoice;
  guint                 prepare_id;
  gboolean              first_frame_done;
  gboolean              glyphs_warm;
  CpStore              *list_store;  /* not a reference: the list holds it */
  /* Sign-in: rows loaded before it are reloaded after the first frame */
  GdkFrameClock        *reload_clock;
  gulong                reload_paint_id;
  guint                 reload_timeout_id;
  /* Other programs' changes (watch_other_programs) */
  guint                 poll_id;
  GCancellable         *poll_cancellable;
  gboolean              polling;        /* a read of the version under way */
  gboolean              has_seen_version;
  gboolean              check_list_version;
  guint64               seen_version;   /* the store's at the last poll */

  AdwToastOverlay      *toast_overlay;
  GtkRevealer          *training_banner;
  GtkRevealer          *live_banner;
  GtkStack             *main_stack;
  AdwStatusPage        *store_error_page;
  CpSigninPage         *signin_page;
  /* The main page (ui/cp-window-main.ui): NULL until ensure_main_page() */
  AdwLeaflet           *leaflet;
  GtkWidget            *list_pane;
  GtkWidget            *detail_pane;
  CpInvoiceList        *invoice_list;
  GtkStack             *detail_stack;
  CpInvoiceDetail      *invoice_detail;
  CpPatientView        *patient_view;
  AdwWindowTitle       *detail_title;
  GtkWidget            *back_button;
  GtkLabel             *staff_label;
  AdwAvatar            *staff_avatar;
};

G_DEFINE_FINAL_TYPE (CpWindow, cp_window, ADW_TYPE_APPLICATION_WINDOW)

static void ensure_main_page (CpWindow *self);

static void
update_actions (CpWindow *self)
{
  gboolean signed_in = self->staff != NULL;
  gboolean can_back = FALSE;

  if (signed_in && self->leaflet != NULL)
    {
      gboolean folded = adw_leaflet_get_folded (self->leaflet);
      gboolean on_detail = adw_leaflet_get_visible_child (self->leaflet) == self->detail_pane;
      gboolean on_patient = g_strcmp0 (gtk_stack_get_visible_child_name (self->detail_stack),
                                       "patient") == 0;

      can_back = (on_patient && self->patient_from_invoice) || (folded && on_detail);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-invoice", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", can_back);
  /* Import and the audit log: supervisors and admins only. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import",
                                 signed_in && self->staff->role >= CP_ROLE_SUPERVISOR);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.audit-log",
                                 signed_in && self->staff->role >= CP_ROLE_SUPERVISOR);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reports", signed_in);
  if (self->back_button != NULL)
    gtk_widget_set_visible (self->back_button, can_back);
}

static void
update_detail_title (CpWindow *self)
{
  const char *page;

  if (self->detail_stack == NULL)
    return;
  page = gtk_stack_get_visible_child_name (self->detail_stack);
  if (g_strcmp0 (page, "patient") == 0)
    {
      const CpPatient *p = cp_patient_view_get_patient (self->patient_view);

      adw_window_title_set_title (self->detail_title, _("Patient"));
      adw_window_title_set_subtitle (self->detail_title, p ? p->mrn : NULL);
    }
  else
    {
      const CpInvoice *inv = cp_invoice_detail_get_invoice (self->invoice_detail);

      adw_window_title_set_title (self->detail_title, _("Invoice"));
      adw_window_title_set_subtitle (self->detail_title, inv ? inv->number : NULL);
    }
}

void
cp_window_open_invoice (CpWindow *self,
                        gint64    invoice_id)
{
  g_return_if_fail (CP_IS_WINDOW (self));

  ensure_main_page (self);
  self->patient_from_invoice = FALSE;
  gtk_stack_set_visible_child_name (self->detail_stack, "invoice");
  cp_invoice_detail_show_invoice (self->invoice_detail, invoice_id);
  adw_leaflet_set_visible_child (self->leaflet, self->detail_pane);
  update_detail_title (self);
  update_actions (self);
}

void
cp_window_open_patient (CpWindow *self,
                        gint64    patient_id)
{
  g_return_if_fail (CP_IS_WINDOW (self));

  ensure_main_page (self);
  self->patient_from_invoice =
    g_strcmp0 (gtk_stack_get_visible_child_name (self->detail_stack), "invoice") == 0 &&
    cp_invoice_detail_get_invoice_id (self->invoice_detail) != 0;
  cp_patient_view_show_patient (self->patient_view, patient_id);
  gtk_stack_set_visible_child_name (self->detail_stack, "patient");
  adw_leaflet_set_visible_child (self->leaflet, self->detail_pane);
  update_detail_title (self);
  update_actions (self);
}

/* Signals from the children */

static void
invoice_selected_cb (CpWindow *self,
                     gint64    id)
{
  /* Side by side, the detail follows the selection; folded, Enter opens it. */
  if (adw_leaflet_get_folded (self->leaflet))
    return;
  self->patient_from_invoice = FALSE;
  gtk_stack_set_visible_child_name (self->detail_stack, "invoice");
  cp_invoice_detail_show_invoice (self->invoice_detail, id);
  update_detail_title (self);
  update_actions (self);
}

static void
invoice_activated_cb (CpWindow *self,
                      gint64    id)
{
  cp_window_open_invoice (self, id);
  if (adw_leaflet_get_folded (self->leaflet))
    gtk_widget_grab_focus (GTK_WIDGET (self->invoice_detail));
}

static void
patient_activated_cb (CpWindow *self,
                      gint64    patient_id)
{
  cp_window_open_patient (self, patient_id);
}

static void
list_loaded_cb (CpWindow *self)
{
  if (self->pending_select_id != 0)
    {
      cp_invoice_list_select_invoice (self->invoice_list, self->pending_select_id);
      self->pending_select_id = 0;
    }
}

static void
detail_loaded_cb (CpWindow *self)
{
  update_detail_title (self);
}

static void
leaflet_changed_cb (CpWindow *self)
{
  update_actions (self);
}

static void
stop_reload_after_paint (CpWindow *self)
{
  /* The clock drops its handlers when its surface goes (an unrealized window). */
  if (self->reload_clock != NULL && self->reload_paint_id != 0 &&
      g_signal_handler_is_connected (self->reload_clock, self->reload_paint_id))
    g_signal_handler_disconnect (self->reload_clock, self->reload_paint_id);
  self->reload_paint_id = 0;
  g_clear_object (&self->reload_clock);
  g_clear_handle_id (&self->reload_timeout_id, g_source_remove);
}

static void
reload_list_now (CpWindow *self)
{
  stop_reload_after_paint (self);
  if (self->staff != NULL)
    cp_invoice_list_reload (self->invoice_list);
}

static gboolean
reload_timeout_cb (gpointer user_data)
{
  CpWindow *self = user_data;

  self->reload_timeout_id = 0;
  reload_list_now (self);
  return G_SOURCE_REMOVE;
}

/* Rows loaded before sign-in are on screen in its first frame, and reloaded
 * right after it (or soon, should no frame come): reloaded before, their new
 * index could land within that frame and have every row bound and laid out
 * a second time in it, while its thread took a core from the frame. */
static void
reload_list_after_paint (CpWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  stop_reload_after_paint (self);
  if (clock == NULL)
    {
      cp_invoice_list_reload (self->invoice_list);
      return;
    }
  self->reload_clock = g_object_ref (clock);
  self->reload_paint_id = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (reload_list_now), self);
  self->reload_timeout_id = g_timeout_add (250, reload_timeout_cb, self);
}

static void
resume_reads (CpWindow *self)
{
  if (CP_IS_SQLITE_STORE (self->store))
    cp_sqlite_store_resume_reads (CP_SQLITE_STORE (self->store));
}

static void
resume_reads_cb (GdkFrameClock *clock,
                 CpWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, resume_reads_cb, self);
  resume_reads (self);
}

/* The sign-in page paused the store's reads of every invoice for the
 * password check (cp-signin-page.c); they go on once the main page's first
 * frame is painted. */
static void
resume_reads_after_paint (CpWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (clock == NULL)
    resume_reads (self);
  else
    g_signal_connect_object (clock, "after-paint", G_CALLBACK (resume_reads_cb), self, 0);
}

/* The list, and the invoice or patient beside it, read again. */
static void
reload_all (CpWindow *self)
{
  if (self->leaflet == NULL)
    return;
  cp_invoice_list_reload (self->invoice_list);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->detail_stack), "patient") == 0)
    cp_patient_view_reload (self->patient_view);
  else
    cp_invoice_detail_reload (self->invoice_detail);
}

/* Another program's commit (carepayctl, a kiosk or a second CarePay on this
 * file) sends us no signal. While someone is signed in, the store's data
 * version is read in a worker at sign-in and every few seconds after; when
 * it moves, everything on screen is read again. The version at sign-in is
 * also compared, once the list is loaded, with the one the list read its
 * rows at: that catches a commit made during the read behind the sign-in
 * page. */
#define POLL_OTHER_PROGRAMS_S 3

static void
data_version_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  CpWindow *self;
  guint64 version;
  gboolean read = cp_store_get_data_version_finish (CP_STORE (source), result, &version, &error);

  /* Cancelled: signed out, or the window is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CP_WINDOW (user_data);
  self->polling = FALSE;
  if (!read)
    {
      g_debug ("No data version: %s", error->message);
      return;
    }
  if (!self->has_seen_version)
    {
      self->has_seen_version = TRUE;
      self->check_list_version = TRUE;
      self->seen_version = version;
    }
  else if (version != self->seen_version)
    {
      self->seen_version = version;
      self->check_list_version = FALSE;
      g_debug ("Another program changed the database: reading it again");
      reload_all (self);
      return;
    }
  if (self->check_list_version && !cp_invoice_list_get_loading (self->invoice_list))
    {
      guint64 listed;

      self->check_list_version = FALSE;
      if (cp_invoice_list_get_data_version (self->invoice_list, &listed) && listed != version)
        {
          g_debug ("Another program changed the database as the list was read: reading it again");
          reload_all (self);
        }
    }
}

/* One at a time: a long write elsewhere (an import) holds the store. */
static void
poll_other_programs (CpWindow *self)
{
  if (self->polling)
    return;
  self->polling = TRUE;
  cp_store_get_data_version_async (self->store, self->poll_cancellable, data_version_cb, self);
}

static gboolean
poll_other_programs_cb (gpointer user_data)
{
  CpWindow *self = user_data;

  if (!cp_invoice_list_get_loading (self->invoice_list))
    poll_other_programs (self);
  return G_SOURCE_CONTINUE;
}

static void
stop_watching_other_programs (CpWindow *self)
{
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_cancellable_cancel (self->poll_cancellable);
  g_clear_object (&self->poll_cancellable);
}

static void
watch_other_programs (CpWindow *self)
{
  stop_watching_other_programs (self);
  if (self->store == NULL)
    return;
  self->poll_cancellable = g_cancellable_new ();
  self->polling = FALSE;
  self->has_seen_version = FALSE;
  poll_other_programs (self);
  self->poll_id = g_timeout_add_seconds (POLL_OTHER_PROGRAMS_S, poll_other_programs_cb, self);
}

/* Sign-in and sign-out entries are written by threads of their own, each
 * joining the one before, so the log keeps their order: a write waits for
 * the store's integrity check after start-up, or up to 5 s for another
 * program's write, and the screen does not (a sign-out hides the patients'
 * data at once). The window joins the last one when it goes, so no entry is
 * lost to a quit. */
typedef struct {
  CpStore *store;
  gint64   staff_id;
  char    *action;    /* "sign-in", "sign-out" */
  char    *username;
  GThread *previous;  /* joined first */
} StaffAudit;

static gpointer
staff_audit_thread (gpointer data)
{
  StaffAudit *audit = data;
  g_autofree char *object = g_strdup_printf ("staff:%s", audit->username);
  g_autoptr(GError) error = NULL;

  if (audit->previous != NULL)
    g_thread_join (audit->previous);
  if (!cp_store_audit_append (audit->store, audit->staff_id, audit->action, object, NULL, &error))
    g_warning ("%s of %s not audited: %s", audit->action, audit->username, error->message);
  g_object_unref (audit->store);
  g_free (audit->action);
  g_free (audit->username);
  g_free (audit);
  return NULL;
}

static void
audit_staff (CpWindow      *self,
             const CpStaff *staff,
             const char    *action)
{
  StaffAudit *audit = g_new0 (StaffAudit, 1);
  g_autoptr(GError) error = NULL;

  audit->store = g_object_ref (self->store);
  audit->staff_id = staff->id;
  audit->action = g_strdup (action);
  audit->username = g_strdup (staff->username);
  audit->previous = g_steal_pointer (&self->audit_thread);
  self->audit_thread = g_thread_try_new ("carepay-audit", staff_audit_thread, audit, &error);
  if (self->audit_thread == NULL)
    {
      g_warning ("%s audited in the foreground: %s", action, error->message);
      staff_audit_thread (audit);
    }
}

static void
signed_in_cb (CpWindow *self,
              CpStaff  *staff)
{
  g_autofree char *label = NULL;

  ensure_main_page (self);
  g_clear_pointer (&self->staff, cp_staff_free);
  self->staff = g_new0 (CpStaff, 1);
  self->staff->id = staff->id;
  self->staff->username = g_strdup (staff->username);
  self->staff->display_name = g_strdup (staff->display_name);
  self->staff->role = staff->role;
  self->staff->active = staff->active;

  audit_staff (self, staff, "sign-in");

  /* Translators: staff name and role in the header, "Casey Clerk · Clerk" */
  label = g_strdup_printf (_("%s · %s"), staff->display_name, cp_role_label (staff->role));
  gtk_label_set_text (self->staff_label, label);
  adw_avatar_set_text (self->staff_avatar, staff->display_name);

  self->patient_from_invoice = FALSE;
  cp_invoice_detail_set_staff (self->invoice_detail, self->staff);
  cp_invoice_detail_show_invoice (self->invoice_detail, 0);
  gtk_stack_set_visible_child_name (self->detail_stack, "invoice");
  adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
  /* At once: a crossfade would keep the list faint for its first 200 ms. */
  gtk_stack_set_visible_child_full (self->main_stack, "main", GTK_STACK_TRANSITION_TYPE_NONE);
  /* A store new to the list loads by itself: one first-page query, not two.
   * Rows loaded before (prepare_main_page_cb, or before a sign-out) stay on
   * screen while they are reloaded; a load still under way (the one begun
   * while the password was typed) brings rows as fresh, and is not begun
   * again. */
  if (self->list_store != self->store)
    {
      self->list_store = self->store;
      cp_invoice_list_set_store (self->invoice_list, self->store);
    }
  else if (!cp_invoice_list_get_loading (self->invoice_list))
    reload_list_after_paint (self);
  resume_reads_after_paint (self);
  watch_other_programs (self);
  update_detail_title (self);
  update_actions (self);
  cp_invoice_list_focus_search (self->invoice_list);
  cp_timing_mark ("main-shown");
  /* For the benchmarks: the first frame after sign-in (the list's own marker is list-painted). */
  cp_timing_mark_after_paint (GTK_WIDGET (self), "main-painted");
}

/* Actions */

/* Built when first asked for, not with the window as GtkApplication does
 * with a gtk/help-overlay.ui resource (some 5 ms before the sign-in page's
 * first frame). Then it is the window's help overlay all the same, which
 * shows the keys of the actions it names. */
static void
show_shortcuts_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (widget);

  if (gtk_application_window_get_help_overlay (window) == NULL)
    {
      g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_PREFIX "/cp-shortcuts-window.ui");

      gtk_application_window_set_help_overlay (window,
                                               GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "shortcuts_window")));
    }
  gtk_window_present (GTK_WINDOW (gtk_application_window_get_help_overlay (window)));
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  CpWindow *self = CP_WINDOW (widget);

  if (self->staff == NULL)
    return;

  audit_staff (self, self->staff, "sign-out");
  g_clear_pointer (&self->staff, cp_staff_free);
  stop_reload_after_paint (self);
  stop_watching_other_programs (self);
  cp_invoice_detail_set_staff (self->invoice_detail, NULL);
  cp_invoice_detail_show_invoice (self->invoice_detail, 0);
  cp_invoice_list_set_search (self->invoice_list, "");
  gtk_stack_set_visible_child_name (self->main_stack, "signin");
  cp_signin_page_reset (self->signin_page);
  update_actions (self);
}

static void
invoice_created_cb (CpWindow *self,
                    gint64    id)
{
  g_autoptr(AdwToast) toast = adw_toast_new (_("Invoice created"));

  adw_toast_overlay_add_toast (self->toast_overlay, g_steal_pointer (&toast));
  self->pending_select_id = id;
  cp_invoice_list_reload (self->invoice_list);
  cp_window_open_invoice (self, id);
}

static void
invoice_changed_cb (CpWindow   *self,
                    gint64      id,
                    const char *message)
{
  /* Totals, status and balance of the row all change: reload the list. */
  cp_invoice_list_reload (self->invoice_list);
  if (message != NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CpWindow *self = CP_WINDOW (widget);
  CpImportDialog *dialog;

  if (self->staff == NULL || self->store == NULL || self->staff->role < CP_ROLE_SUPERVISOR)
    return;

  dialog = cp_import_dialog_new (GTK_WINDOW (self), self->store, self->staff->id);
  g_signal_connect_object (dialog, "imported", G_CALLBACK (cp_invoice_list_reload),
                           self->invoice_list, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
audit_log_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  CpWindow *self = CP_WINDOW (widget);

  if (self->staff == NULL || self->store == NULL || self->staff->role < CP_ROLE_SUPERVISOR)
    return;

  gtk_window_present (GTK_WINDOW (cp_audit_window_new (GTK_WINDOW (self), self->store)));
}

static void
reports_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  CpWindow *self = CP_WINDOW (widget);

  if (self->staff == NULL || self->store == NULL)
    return;
  gtk_window_present (GTK_WINDOW (cp_reports_window_new (GTK_WINDOW (self), self->store)));
}

static void
new_invoice_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  CpWindow *self = CP_WINDOW (widget);
  CpNewInvoiceDialog *dialog;

  if (self->staff == NULL || self->store == NULL)
    return;

  dialog = cp_new_invoice_dialog_new (GTK_WINDOW (self), self->store, self->staff->id);
  g_signal_connect_object (dialog, "invoice-created", G_CALLBACK (invoice_created_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CpWindow *self = CP_WINDOW (widget);

  if (self->leaflet == NULL)
    return;
  adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
  cp_invoice_list_focus_search (self->invoice_list);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  reload_all (CP_WINDOW (widget));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CpWindow *self = CP_WINDOW (widget);

  if (self->leaflet == NULL)
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->detail_stack), "patient") == 0 &&
      self->patient_from_invoice)
    {
      self->patient_from_invoice = FALSE;
      gtk_stack_set_visible_child_name (self->detail_stack, "invoice");
      update_detail_title (self);
    }
  else if (adw_leaflet_get_folded (self->leaflet))
    {
      adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
      cp_invoice_list_focus_search (self->invoice_list);
    }
  update_actions (self);
}

static void
quit_cb (CpWindow *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

/* Window */

static gboolean
cp_window_close_request (GtkWindow *window)
{
  CpWindow *self = CP_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (cp_window_parent_class)->close_request (window);
}

static gboolean
cp_window_live_mode_mapping (GValue   *value,
                             GVariant *variant,
                             gpointer  user_data)
{
  g_value_set_boolean (value, g_strcmp0 (g_variant_get_string (variant, NULL), "live") == 0);
  return TRUE;
}

/* Start-up: the main page is not laid out while the sign-in page shows (the
 * stack is not homogeneous), so the first frame after sign-in would load the
 * list, make its rows, and compute the style and layout of every widget of
 * the list, detail and header. While people type, in idle time after the
 * sign-in page is painted, the list loads its first rows from the store (the
 * same process holds them after a sign-out; nothing is shown before sign-in)
 * and the main page is laid out at the stack's size, rows included: signing
 * in then switches the stack, reloads the list in place and paints. The list
 * is not loaded here once a sign-in is submitted (then the store is the
 * sign-in's). Its whole index comes too, read on the store's own reading
 * connection (0.6–0.8 s at 100,000 invoices), which the password check does
 * not wait for. */
static gboolean
prepare_main_page_cb (gpointer user_data)
{
  CpWindow *self = user_data;
  GtkWidget *leaflet;
  int width = gtk_widget_get_width (GTK_WIDGET (self->main_stack));
  int height = gtk_widget_get_height (GTK_WIDGET (self->main_stack));
  int min_width, min_height;

  self->prepare_id = 0;
  if (self->staff != NULL || width <= 0 || height <= 0)
    return G_SOURCE_REMOVE;
  ensure_main_page (self);
  leaflet = GTK_WIDGET (self->leaflet);

  if (self->store != NULL && self->list_store != self->store)
    {
      /* Signing in: it loads the list, and lays the page out with its rows. */
      if (cp_signin_page_get_busy (self->signin_page))
        return G_SOURCE_REMOVE;
      /* Its rows bring us back here (list_items_changed_cb) to lay them out. */
      cp_timing_mark ("list-preload-start");
      self->list_store = self->store;
      cp_invoice_list_set_store (self->invoice_list, self->store);
      return G_SOURCE_REMOVE;
    }

  cp_timing_mark ("warm-up-start");
  gtk_widget_measure (leaflet, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  gtk_widget_measure (leaflet, GTK_ORIENTATION_VERTICAL, MAX (width, min_width),
                      &min_height, NULL, NULL, NULL);
  /* As GtkStack will allocate it: then GTK finds it laid out already. */
  gtk_widget_size_allocate (leaflet,
                            &(GtkAllocation) { 0, 0, MAX (width, min_width), MAX (height, min_height) },
                            -1);
  /* And the glyphs of its first screen: ~5 ms of that frame otherwise */
  if (!self->glyphs_warm)
    self->glyphs_warm = cp_ui_warm_glyphs (leaflet, WARM_GLYPH_ROWS) > 0;
  cp_timing_mark ("warm-up-done");
  return G_SOURCE_REMOVE;
}

static void
prepare_main_page (CpWindow *self,
                   int       priority)
{
  if (self->first_frame_done && self->staff == NULL && self->prepare_id == 0)
    self->prepare_id = g_idle_add_full (priority, prepare_main_page_cb, self, NULL);
}

/* Rows loaded before sign-in (see prepare_main_page_cb): laid out at once,
 * before the whole index replaces the first page; laid out after, the list
 * would make and measure rows for far more than a screen. (The list's
 * "loaded" comes only after its totals.) The list view's own model: it lets
 * the index in a step a frame (CpPacedModel), and GTK 4.8 makes widgets for
 * up to 200 of its rows; laid out a step at a time here, none of them is
 * left to measure in the first frame after sign-in (some 25 ms of it). */
static void
list_items_changed_cb (CpWindow *self)
{
  prepare_main_page (self, G_PRIORITY_DEFAULT);
}

static void
first_frame_cb (GdkFrameClock *clock,
                CpWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, self);
  self->first_frame_done = TRUE;
  prepare_main_page (self, G_PRIORITY_DEFAULT_IDLE);
}

/* Start-up: the main page (list, detail, patient view, their headers and
 * menu) is half of the window's widgets; the sign-in page's first frame does
 * not wait for it. It is built in idle time after that frame
 * (prepare_main_page_cb), or when first asked for. */
static void
ensure_main_page (CpWindow *self)
{
  g_autoptr(GtkBuilder) builder = NULL;
  g_autoptr(GtkBuilderScope) scope = NULL;
  g_autoptr(GError) error = NULL;

  if (self->leaflet != NULL)
    return;

  cp_timing_mark ("main-page-start");
  scope = gtk_builder_cscope_new ();
  gtk_builder_cscope_add_callback_symbols (GTK_BUILDER_CSCOPE (scope),
                                           "invoice_selected_cb", G_CALLBACK (invoice_selected_cb),
                                           "invoice_activated_cb", G_CALLBACK (invoice_activated_cb),
                                           "patient_activated_cb", G_CALLBACK (patient_activated_cb),
                                           "list_loaded_cb", G_CALLBACK (list_loaded_cb),
                                           "detail_loaded_cb", G_CALLBACK (detail_loaded_cb),
                                           "leaflet_changed_cb", G_CALLBACK (leaflet_changed_cb),
                                           NULL);
  builder = gtk_builder_new ();
  gtk_builder_set_scope (builder, scope);
  /* Handlers without an object get the window, as in its template. */
  gtk_builder_set_current_object (builder, G_OBJECT (self));
  if (!gtk_builder_add_from_resource (builder, RESOURCE_PREFIX "/cp-window-main.ui", &error))
    g_error ("cp-window-main.ui: %s", error->message);

#define GET(name) self->name = (gpointer) gtk_builder_get_object (builder, #name)
  GET (leaflet);
  GET (list_pane);
  GET (detail_pane);
  GET (invoice_list);
  GET (detail_stack);
  GET (invoice_detail);
  GET (patient_view);
  GET (detail_title);
  GET (back_button);
  GET (staff_label);
  GET (staff_avatar);
#undef GET
  gtk_stack_add_named (self->main_stack, GTK_WIDGET (self->leaflet), "main");

  g_signal_connect_object (self->invoice_detail, "invoice-changed", G_CALLBACK (invoice_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (cp_invoice_list_get_view_model (self->invoice_list), "items-changed",
                           G_CALLBACK (list_items_changed_cb), self, G_CONNECT_SWAPPED);
  if (self->store != NULL)
    {
      cp_invoice_detail_set_store (self->invoice_detail, self->store);
      cp_patient_view_set_store (self->patient_view, self->store);
    }
  if (self->ledger != NULL)
    cp_invoice_detail_set_ledger (self->invoice_detail, self->ledger);
  update_actions (self);
  cp_timing_mark ("main-page-built");
}

static void
cp_window_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (cp_window_parent_class)->realize (widget);
  g_signal_connect_object (gtk_widget_get_frame_clock (widget), "after-paint",
                           G_CALLBACK (first_frame_cb), widget, 0);
}

static void
cp_window_dispose (GObject *object)
{
  CpWindow *self = CP_WINDOW (object);

  g_clear_handle_id (&self->prepare_id, g_source_remove);
  stop_reload_after_paint (self);
  stop_watching_other_programs (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_WINDOW);
  /* The main page went with main_stack; these were never references. */
  self->leaflet = NULL;
  self->list_pane = self->detail_pane = self->back_button = NULL;
  self->invoice_list = NULL;
  self->detail_stack = NULL;
  self->invoice_detail = NULL;
  self->patient_view = NULL;
  self->detail_title = NULL;
  self->staff_label = NULL;
  self->staff_avatar = NULL;
  g_clear_object (&self->store);
  g_clear_object (&self->ledger);
  g_clear_object (&self->settings);
  /* The last sign-in or sign-out entry (and the ones before it) */
  if (self->audit_thread != NULL)
    g_thread_join (g_steal_pointer (&self->audit_thread));

  G_OBJECT_CLASS (cp_window_parent_class)->dispose (object);
}

static void
cp_window_finalize (GObject *object)
{
  CpWindow *self = CP_WINDOW (object);

  g_clear_pointer (&self->staff, cp_staff_free);

  G_OBJECT_CLASS (cp_window_parent_class)->finalize (object);
}

static void
cp_window_class_init (CpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cp_window_dispose;
  object_class->finalize = cp_window_finalize;
  window_class->close_request = cp_window_close_request;
  widget_class->realize = cp_window_realize;

  g_type_ensure (CP_TYPE_SIGNIN_PAGE);
  g_type_ensure (CP_TYPE_INVOICE_LIST);
  g_type_ensure (CP_TYPE_INVOICE_DETAIL);
  g_type_ensure (CP_TYPE_PATIENT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/cp-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpWindow, name)
  BIND (toast_overlay);
  BIND (training_banner);
  BIND (live_banner);
  BIND (main_stack);
  BIND (store_error_page);
  BIND (signin_page);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, signed_in_cb);
  gtk_widget_class_bind_template_callback (widget_class, quit_cb);

  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);
  gtk_widget_class_install_action (widget_class, "win.show-help-overlay", NULL, show_shortcuts_action);
  gtk_widget_class_install_action (widget_class, "win.new-invoice", NULL, new_invoice_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.audit-log", NULL, audit_log_action);
  gtk_widget_class_install_action (widget_class, "win.reports", NULL, reports_action);
  /* D for dashboard: Ctrl+Shift+R is Sync Now */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.reports", NULL);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-invoice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
}

static void
cp_window_init (CpWindow *self)
{
  cp_timing_mark ("window-init");
  gtk_widget_init_template (GTK_WIDGET (self));
  cp_timing_mark ("window-template-built");

  self->settings = g_settings_new (APP_ID);
  /* Live mode is shown everywhere: stripe-mode 'live' is 2. */
  g_settings_bind_with_mapping (self->settings, "stripe-mode", self->live_banner, "reveal-child",
                                G_SETTINGS_BIND_GET, cp_window_live_mode_mapping, NULL, NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  update_actions (self);
}

CpWindow *
cp_window_new (GtkApplication *application)
{
  return g_object_new (CP_TYPE_WINDOW, "application", application, NULL);
}

void
cp_window_set_store (CpWindow *self,
                     CpStore  *store)
{
  g_return_if_fail (CP_IS_WINDOW (self));
  g_return_if_fail (CP_IS_STORE (store));

  g_set_object (&self->store, store);
  g_clear_pointer (&self->staff, cp_staff_free);
  cp_signin_page_set_store (self->signin_page, store);
  if (self->leaflet != NULL)
    {
      cp_invoice_detail_set_store (self->invoice_detail, store);
      cp_patient_view_set_store (self->patient_view, store);
    }
  /* No crossfade from the loading page: the sign-in page shows at once. */
  gtk_stack_set_visible_child_full (self->main_stack, "signin", GTK_STACK_TRANSITION_TYPE_NONE);
  update_actions (self);
  prepare_main_page (self, G_PRIORITY_DEFAULT_IDLE);
}

void
cp_window_show_signin (CpWindow *self)
{
  g_return_if_fail (CP_IS_WINDOW (self));

  if (self->store == NULL)
    gtk_stack_set_visible_child_full (self->main_stack, "signin", GTK_STACK_TRANSITION_TYPE_NONE);
}

void
cp_window_set_ledger (CpWindow *self,
                      CpLedger *ledger,
                      gboolean  training)
{
  g_return_if_fail (CP_IS_WINDOW (self));
  g_return_if_fail (ledger == NULL || CP_IS_LEDGER (ledger));

  g_set_object (&self->ledger, ledger);
  gtk_revealer_set_reveal_child (self->training_banner, ledger != NULL && training);
  if (self->leaflet != NULL)
    cp_invoice_detail_set_ledger (self->invoice_detail, ledger);
}

CpLedger *
cp_window_get_ledger (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);
  return self->ledger;
}

gboolean
cp_window_get_training (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), FALSE);
  return gtk_revealer_get_reveal_child (self->training_banner);
}

AdwToastOverlay *
cp_window_get_toast_overlay (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);
  return self->toast_overlay;
}

CpStore *
cp_window_get_store (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);

  return self->store;
}

void
cp_window_show_store_error (CpWindow     *self,
                            const char   *path,
                            const GError *error)
{
  g_autofree char *description = NULL;

  g_return_if_fail (CP_IS_WINDOW (self));

  description = g_strdup_printf (_("CarePay could not open the database “%s”: %s\n\n"
                                   "If the file was moved, or this account cannot read and "
                                   "write it, ask IT to restore it. If it comes from a newer "
                                   "CarePay, update CarePay on this computer. To use another "
                                   "file, start CarePay with --db FILE."),
                                 path ? path : "", error ? error->message : _("unknown error"));
  adw_status_page_set_description (self->store_error_page, description);
  /* Only now: an SVG icon (see cp-window.ui) */
  adw_status_page_set_icon_name (self->store_error_page, "dialog-error-symbolic");
  gtk_stack_set_visible_child_name (self->main_stack, "error");
}

const CpStaff *
cp_window_get_staff (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);

  return self->staff;
}

const char *
cp_window_get_page (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->main_stack);
}

CpSigninPage *
cp_window_get_signin_page (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);
  return self->signin_page;
}

CpInvoiceList *
cp_window_get_invoice_list (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);
  ensure_main_page (self);
  return self->invoice_list;
}

CpInvoiceDetail *
cp_window_get_invoice_detail (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);
  ensure_main_page (self);
  return self->invoice_detail;
}

CpPatientView *
cp_window_get_patient_view (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);
  ensure_main_page (self);
  return self->patient_view;
}

AdwLeaflet *
cp_window_get_leaflet (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);
  ensure_main_page (self);
  return self->leaflet;
}

const char *
cp_window_get_detail_page (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);
  ensure_main_page (self);
  return gtk_stack_get_visible_child_name (self->detail_stack);
}
