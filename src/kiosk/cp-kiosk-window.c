/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "CarePay-Kiosk"

#include <glib/gi18n.h>
#include <locale.h>

#include "cp-kiosk-guard.h"
#include "cp-kiosk-private.h"
#include "cp-kiosk-view.h"
#include "cp-kiosk-window.h"

#define DEFAULT_COUNTDOWN 20

struct _CpKioskWindow
{
  AdwApplicationWindow  parent_instance;

  CpStore              *store;
  CpLedger             *ledger;
  CpKioskGuard         *guard;
  GSettings            *settings;
  GCancellable         *cancellable;
  char                 *language;
  char                 *default_language;
  char                 *unavailable;
  CpKioskView          *view;

  guint                 idle_timeout;      /* seconds */
  guint                 countdown;         /* seconds shown in the dialog */
  gint64                last_activity;
  guint                 idle_source;
  AdwMessageDialog     *countdown_dialog;
  guint                 countdown_left;

  GtkWindow            *exit_dialog;
  GtkWidget            *exit_username;
  GtkWidget            *exit_password;
  GtkWidget            *exit_button_leave;
  GtkWidget            *exit_error;
  gboolean              unlocked;

  /* Template children */
  GtkWidget            *view_bin;
  GtkWidget            *exit_button;
};

G_DEFINE_FINAL_TYPE (CpKioskWindow, cp_kiosk_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_IDLE_TIMEOUT,
  PROP_COUNTDOWN,
  PROP_UNLOCKED,
  PROP_LANGUAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
install_css (void)
{
  static gboolean done;
  g_autoptr(GtkCssProvider) provider = NULL;

  if (done)
    return;
  done = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, RESOURCE_PREFIX "/kiosk/cp-kiosk-style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static gboolean
is_c_locale (const char *locale)
{
  return locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX") ||
         g_str_has_prefix (locale, "C.");
}

/* The UI language, for the strings (and month names) of views made from now
 * on. gettext ignores LANGUAGE in the C locale, so a kiosk started without a
 * locale takes a Spanish one for its messages when there is one. */
static void
apply_language (const char *language)
{
  static const char * const spanish[] = { "es_ES.UTF-8", "es_MX.UTF-8", "es_US.UTF-8", NULL };
  const char *messages;

  if (g_strcmp0 (g_getenv ("LANGUAGE"), language) != 0)
    g_setenv ("LANGUAGE", language, TRUE);
  /* setlocale() also makes gettext drop what it cached for the old language. */
  messages = setlocale (LC_MESSAGES, "");
  setlocale (LC_TIME, "");
  if (g_str_equal (language, "es"))
    for (guint i = 0; spanish[i] != NULL; i++)
      {
        if (is_c_locale (messages) && setlocale (LC_MESSAGES, spanish[i]) != NULL)
          messages = spanish[i];
        if (setlocale (LC_TIME, spanish[i]) != NULL)
          break;
      }
}

static void
replace_view (CpKioskWindow *self)
{
  GtkWidget *view;

  apply_language (self->language);
  view = cp_kiosk_view_new (self->store, self->ledger, self->guard, self->language);
  self->view = CP_KIOSK_VIEW (view);
  /* The old view, with everything the patient typed or saw, goes with this. */
  adw_bin_set_child (ADW_BIN (self->view_bin), view);
  if (self->unavailable != NULL)
    cp_kiosk_view_set_unavailable (self->view, self->unavailable);
  self->last_activity = g_get_monotonic_time ();
}

static void
close_countdown (CpKioskWindow *self)
{
  if (self->countdown_dialog != NULL)
    {
      AdwMessageDialog *dialog = g_steal_pointer (&self->countdown_dialog);

      gtk_window_destroy (GTK_WINDOW (dialog));
      g_object_unref (dialog);
    }
}

static void
close_exit_dialog (CpKioskWindow *self)
{
  if (self->exit_dialog != NULL)
    {
      GtkWindow *dialog = g_steal_pointer (&self->exit_dialog);

      self->exit_username = self->exit_password = self->exit_button_leave = self->exit_error = NULL;
      gtk_window_destroy (dialog);
      g_object_unref (dialog);
    }
}

void
cp_kiosk_window_reset (CpKioskWindow *self)
{
  const char *open_pi;

  g_return_if_fail (CP_IS_KIOSK_WINDOW (self));

  close_countdown (self);
  close_exit_dialog (self);
  open_pi = self->view != NULL ? cp_kiosk_view_get_open_payment_intent (self->view) : NULL;
  if (open_pi != NULL && self->ledger != NULL)
    cp_kiosk_cancel_payment (self->ledger, open_pi, self->cancellable);
  g_free (self->language);
  self->language = g_strdup (self->default_language);
  replace_view (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

/* --- idle ----------------------------------------------------------------- */

static void
activity_cb (CpKioskWindow *self)
{
  self->last_activity = g_get_monotonic_time ();
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CpKioskWindow         *self)
{
  activity_cb (self);
  return GDK_EVENT_PROPAGATE;
}

static gboolean
legacy_event_cb (GtkEventControllerLegacy *controller,
                 GdkEvent                 *event,
                 CpKioskWindow            *self)
{
  switch (gdk_event_get_event_type (event))
    {
    case GDK_MOTION_NOTIFY:
    case GDK_BUTTON_PRESS:
    case GDK_BUTTON_RELEASE:
    case GDK_KEY_PRESS:
    case GDK_KEY_RELEASE:
    case GDK_SCROLL:
    case GDK_TOUCH_BEGIN:
    case GDK_TOUCH_UPDATE:
    case GDK_TOUCH_END:
      activity_cb (self);
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

static void
update_countdown_body (CpKioskWindow *self)
{
  g_autofree char *body =
    g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Returning to the start in %u second.",
                                  "Returning to the start in %u seconds.", self->countdown_left),
                     self->countdown_left);

  adw_message_dialog_set_body (self->countdown_dialog, body);
}

static void
countdown_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       CpKioskWindow    *self)
{
  if (self->countdown_dialog != dialog)
    return;
  /* "Keep going": the dialog closes itself. */
  g_clear_object (&self->countdown_dialog);
  self->last_activity = g_get_monotonic_time ();
}

static void
show_countdown (CpKioskWindow *self)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Are you still there?"), NULL));
  gtk_widget_add_css_class (GTK_WIDGET (dialog), "kiosk");
  adw_message_dialog_add_response (dialog, "keep", _("Keep going"));
  adw_message_dialog_set_response_appearance (dialog, "keep", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "keep");
  adw_message_dialog_set_close_response (dialog, "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (countdown_response_cb), self, 0);
  self->countdown_dialog = g_object_ref (dialog);
  self->countdown_left = self->countdown;
  update_countdown_body (self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
idle_tick (gpointer user_data)
{
  CpKioskWindow *self = user_data;
  gint64 idle;

  if (self->countdown_dialog != NULL)
    {
      if (self->countdown_left <= 1)
        {
          g_debug ("Nobody answered; back to the start");
          cp_kiosk_window_reset (self);
        }
      else
        {
          self->countdown_left--;
          update_countdown_body (self);
        }
      return G_SOURCE_CONTINUE;
    }

  if (self->view == NULL ||
      (cp_kiosk_view_get_pristine (self->view) && g_strcmp0 (self->language, self->default_language) == 0))
    {
      self->last_activity = g_get_monotonic_time ();
      return G_SOURCE_CONTINUE;
    }
  idle = g_get_monotonic_time () - self->last_activity;
  if (idle >= (gint64) self->idle_timeout * G_USEC_PER_SEC)
    show_countdown (self);
  return G_SOURCE_CONTINUE;
}

/* --- leaving kiosk mode --------------------------------------------------- */

static void
authenticated_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CpKioskWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStaff) staff = NULL;

  staff = cp_store_authenticate_finish (CP_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->exit_dialog == NULL)
    return;
  gtk_widget_set_sensitive (self->exit_button_leave, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->exit_password), "");
  if (staff == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->exit_error), _("Wrong username or password."));
      gtk_widget_set_visible (self->exit_error, TRUE);
      gtk_widget_grab_focus (self->exit_password);
      return;
    }
  if (staff->role != CP_ROLE_ADMIN || !staff->active)
    {
      gtk_label_set_text (GTK_LABEL (self->exit_error), _("Only an administrator can leave kiosk mode."));
      gtk_widget_set_visible (self->exit_error, TRUE);
      return;
    }

  g_debug ("Kiosk mode left by an administrator");
  cp_store_audit_append (self->store, staff->id, "kiosk-exit", NULL, NULL, NULL);
  self->unlocked = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNLOCKED]);
  cp_kiosk_window_reset (self);
  gtk_window_close (GTK_WINDOW (self));
}

static void
leave_clicked_cb (CpKioskWindow *self)
{
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->exit_username));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->exit_password));

  if (self->store == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->exit_error), _("The database is not open yet."));
      gtk_widget_set_visible (self->exit_error, TRUE);
      return;
    }
  gtk_widget_set_visible (self->exit_error, FALSE);
  gtk_widget_set_sensitive (self->exit_button_leave, FALSE);
  cp_store_authenticate_async (self->store, username, password, self->cancellable,
                               authenticated_cb, g_object_ref (self));
}

static void
exit_dialog_destroyed_cb (CpKioskWindow *self)
{
  if (self->exit_dialog != NULL)
    {
      g_clear_object (&self->exit_dialog);
      self->exit_username = self->exit_password = self->exit_button_leave = self->exit_error = NULL;
    }
  self->last_activity = g_get_monotonic_time ();
}

static void
exit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CpKioskWindow *self = CP_KIOSK_WINDOW (widget);
  GtkWidget *box, *label, *buttons, *cancel;

  if (self->exit_dialog != NULL)
    {
      gtk_window_present (self->exit_dialog);
      return;
    }
  close_countdown (self);

  self->exit_dialog = g_object_ref (GTK_WINDOW (gtk_window_new ()));
  gtk_window_set_transient_for (self->exit_dialog, GTK_WINDOW (self));
  gtk_window_set_modal (self->exit_dialog, TRUE);
  gtk_window_set_destroy_with_parent (self->exit_dialog, TRUE);
  gtk_window_set_title (self->exit_dialog, _("Leave Kiosk Mode"));
  gtk_window_set_default_size (self->exit_dialog, 520, -1);
  gtk_widget_add_css_class (GTK_WIDGET (self->exit_dialog), "kiosk");
  gtk_widget_add_css_class (GTK_WIDGET (self->exit_dialog), "dialog");
  gtk_window_set_titlebar (self->exit_dialog, adw_header_bar_new ());

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_start (box, 32);
  gtk_widget_set_margin_end (box, 32);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 32);
  label = gtk_label_new (_("Staff only. An administrator must sign in to leave kiosk mode."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);

  self->exit_username = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->exit_username), _("Username"));
  gtk_entry_set_input_hints (GTK_ENTRY (self->exit_username), GTK_INPUT_HINT_NO_SPELLCHECK | GTK_INPUT_HINT_LOWERCASE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->exit_username), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Username"), -1);
  gtk_widget_add_css_class (self->exit_username, "kiosk-entry");
  gtk_box_append (GTK_BOX (box), self->exit_username);

  self->exit_password = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (self->exit_password), TRUE);
  g_object_set (self->exit_password, "placeholder-text", _("Password"), "activates-default", TRUE, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->exit_password), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Password"), -1);
  gtk_widget_add_css_class (self->exit_password, "kiosk-entry");
  gtk_box_append (GTK_BOX (box), self->exit_password);

  self->exit_error = g_object_new (GTK_TYPE_LABEL, "accessible-role", GTK_ACCESSIBLE_ROLE_ALERT, NULL);
  gtk_label_set_wrap (GTK_LABEL (self->exit_error), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->exit_error), 0);
  gtk_widget_add_css_class (self->exit_error, "kiosk-error");
  gtk_widget_set_visible (self->exit_error, FALSE);
  gtk_box_append (GTK_BOX (box), self->exit_error);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_widget_set_margin_top (buttons, 12);
  cancel = gtk_button_new_with_label (_("Cancel"));
  gtk_widget_add_css_class (cancel, "kiosk-button");
  gtk_widget_add_css_class (cancel, "pill");
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (gtk_window_destroy), self->exit_dialog, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (buttons), cancel);
  self->exit_button_leave = gtk_button_new_with_label (_("Leave Kiosk Mode"));
  gtk_widget_add_css_class (self->exit_button_leave, "kiosk-button");
  gtk_widget_add_css_class (self->exit_button_leave, "destructive-action");
  gtk_widget_add_css_class (self->exit_button_leave, "pill");
  g_signal_connect_object (self->exit_button_leave, "clicked", G_CALLBACK (leave_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (buttons), self->exit_button_leave);
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_window_set_child (self->exit_dialog, box);
  /* Typing in the dialog is activity too; left open, it goes with a reset. */
  {
    GtkEventController *controller = gtk_event_controller_legacy_new ();

    g_signal_connect (controller, "event", G_CALLBACK (legacy_event_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->exit_dialog), controller);
  }
  gtk_window_set_default_widget (self->exit_dialog, self->exit_button_leave);
  g_signal_connect_object (self->exit_dialog, "destroy", G_CALLBACK (exit_dialog_destroyed_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (self->exit_dialog);
  gtk_widget_grab_focus (self->exit_username);
}

/* --- actions -------------------------------------------------------------- */

static void
reset_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  cp_kiosk_window_reset (CP_KIOSK_WINDOW (widget));
}

static void
set_language (CpKioskWindow *self,
              const char    *language)
{
  language = g_strcmp0 (language, "es") == 0 ? "es" : "en";
  if (g_strcmp0 (language, self->language) == 0)
    return;
  g_free (self->language);
  self->language = g_strdup (language);
  /* New pages in the new language; nothing was typed on the start page. */
  if (self->view != NULL)
    replace_view (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

static gboolean
cp_kiosk_window_close_request (GtkWindow *window)
{
  CpKioskWindow *self = CP_KIOSK_WINDOW (window);

  if (!self->unlocked)
    {
      g_debug ("Refusing to close the kiosk");
      return TRUE;
    }
  return GTK_WINDOW_CLASS (cp_kiosk_window_parent_class)->close_request (window);
}

/* --- GObject -------------------------------------------------------------- */

static void
cp_kiosk_window_dispose (GObject *object)
{
  CpKioskWindow *self = CP_KIOSK_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  close_countdown (self);
  close_exit_dialog (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_KIOSK_WINDOW);
  self->view = NULL;
  g_clear_object (&self->store);
  g_clear_object (&self->ledger);
  g_clear_object (&self->guard);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cp_kiosk_window_parent_class)->dispose (object);
}

static void
cp_kiosk_window_finalize (GObject *object)
{
  CpKioskWindow *self = CP_KIOSK_WINDOW (object);

  g_free (self->language);
  g_free (self->default_language);
  g_free (self->unavailable);

  G_OBJECT_CLASS (cp_kiosk_window_parent_class)->finalize (object);
}

static void
cp_kiosk_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CpKioskWindow *self = CP_KIOSK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;
    case PROP_COUNTDOWN:
      g_value_set_uint (value, self->countdown);
      break;
    case PROP_UNLOCKED:
      g_value_set_boolean (value, self->unlocked);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_kiosk_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CpKioskWindow *self = CP_KIOSK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      if (self->idle_timeout != g_value_get_uint (value))
        {
          self->idle_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_COUNTDOWN:
      if (self->countdown != g_value_get_uint (value))
        {
          self->countdown = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_LANGUAGE:
      set_language (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_kiosk_window_class_init (CpKioskWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cp_kiosk_window_dispose;
  object_class->finalize = cp_kiosk_window_finalize;
  object_class->get_property = cp_kiosk_window_get_property;
  object_class->set_property = cp_kiosk_window_set_property;
  window_class->close_request = cp_kiosk_window_close_request;

  /* Seconds without input before the "Are you still there?" countdown. */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 1, G_MAXUINT, 90,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Seconds the countdown lasts. */
  properties[PROP_COUNTDOWN] =
    g_param_spec_uint ("countdown", NULL, NULL, 1, 600, DEFAULT_COUNTDOWN,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_UNLOCKED] =
    g_param_spec_boolean ("unlocked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The patient's language, "en" or "es"; the start page's buttons set it. */
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, "en",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/kiosk/cp-kiosk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CpKioskWindow, view_bin);
  gtk_widget_class_bind_template_child (widget_class, CpKioskWindow, exit_button);

  gtk_widget_class_install_action (widget_class, "kiosk.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "kiosk.exit", NULL, exit_action);
  gtk_widget_class_install_property_action (widget_class, "kiosk.language", "language");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_q, GDK_CONTROL_MASK | GDK_ALT_MASK, "kiosk.exit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Q, GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK, "kiosk.exit", NULL);
}

static void
cp_kiosk_window_init (CpKioskWindow *self)
{
  const char * const *languages = g_get_language_names ();
  GtkEventController *controller;

  g_type_ensure (ADW_TYPE_BIN);
  gtk_widget_init_template (GTK_WIDGET (self));
  install_css ();

  self->cancellable = g_cancellable_new ();
  self->guard = cp_kiosk_guard_new (CP_KIOSK_GUARD_DEFAULT_MAX_FAILURES, CP_KIOSK_GUARD_DEFAULT_LOCK_PERIOD);
  self->countdown = DEFAULT_COUNTDOWN;
  self->default_language = g_strdup (languages[0] != NULL && g_str_has_prefix (languages[0], "es") ? "es" : "en");
  self->language = g_strdup (self->default_language);
  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "kiosk-idle-timeout", self, "idle-timeout", G_SETTINGS_BIND_GET);

  /* Any input anywhere in the window, web view included, is activity. */
  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "event", G_CALLBACK (legacy_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
  controller = gtk_event_controller_motion_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "motion", G_CALLBACK (activity_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  self->last_activity = g_get_monotonic_time ();
  self->idle_source = g_timeout_add_seconds (1, idle_tick, self);

  replace_view (self);
  gtk_window_fullscreen (GTK_WINDOW (self));
}

CpKioskWindow *
cp_kiosk_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (CP_TYPE_KIOSK_WINDOW, "application", application, NULL);
}

void
cp_kiosk_window_set_store (CpKioskWindow *self,
                           CpStore       *store)
{
  g_return_if_fail (CP_IS_KIOSK_WINDOW (self));
  g_return_if_fail (store == NULL || CP_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  /* Only a view nobody is using is replaced. */
  if (self->view == NULL || cp_kiosk_view_get_pristine (self->view))
    replace_view (self);
}

void
cp_kiosk_window_set_ledger (CpKioskWindow *self,
                            CpLedger      *ledger)
{
  g_return_if_fail (CP_IS_KIOSK_WINDOW (self));
  g_return_if_fail (ledger == NULL || CP_IS_LEDGER (ledger));

  if (!g_set_object (&self->ledger, ledger))
    return;
  if (self->view == NULL || cp_kiosk_view_get_pristine (self->view))
    replace_view (self);
}

void
cp_kiosk_window_set_unavailable (CpKioskWindow *self,
                                 const char    *message)
{
  g_return_if_fail (CP_IS_KIOSK_WINDOW (self));

  g_free (self->unavailable);
  self->unavailable = g_strdup (message);
  if (self->view != NULL)
    cp_kiosk_view_set_unavailable (self->view, message);
}

gboolean
cp_kiosk_window_get_unlocked (CpKioskWindow *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_WINDOW (self), FALSE);

  return self->unlocked;
}

CpKioskView *
cp_kiosk_window_get_view (CpKioskWindow *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_WINDOW (self), NULL);

  return self->view;
}

GtkWindow *
cp_kiosk_window_get_countdown (CpKioskWindow *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_WINDOW (self), NULL);

  return self->countdown_dialog != NULL ? GTK_WINDOW (self->countdown_dialog) : NULL;
}

GtkWindow *
cp_kiosk_window_get_exit_dialog (CpKioskWindow *self)
{
  g_return_val_if_fail (CP_IS_KIOSK_WINDOW (self), NULL);

  return self->exit_dialog;
}

void
cp_kiosk_window_get_exit_widgets (CpKioskWindow  *self,
                                  GtkWidget     **username,
                                  GtkWidget     **password,
                                  GtkWidget     **leave_button,
                                  GtkWidget     **error_label)
{
  g_return_if_fail (CP_IS_KIOSK_WINDOW (self));

  if (username != NULL)
    *username = self->exit_username;
  if (password != NULL)
    *password = self->exit_password;
  if (leave_button != NULL)
    *leave_button = self->exit_button_leave;
  if (error_label != NULL)
    *error_label = self->exit_error;
}
