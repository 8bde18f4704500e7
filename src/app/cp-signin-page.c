/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-signin-page.h"
#include "cp-sqlite-store.h"
#include "cp-timing.h"

struct _CpSigninPage
{
  AdwBin        parent_instance;

  CpStore      *store;
  GCancellable *cancellable;
  gboolean      busy;
  gboolean      pending;  /* submitted before the database was open */
  guint         busy_shown_id;

  GtkEntry         *username_entry;
  GtkPasswordEntry *password_entry;
  GtkLabel         *error_label;
  GtkButton        *signin_button;
  GtkSpinner       *spinner;
  GtkLabel         *button_label;
  GtkWidget        *training_box;
};

G_DEFINE_FINAL_TYPE (CpSigninPage, cp_signin_page, ADW_TYPE_BIN)

enum {
  SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (CpSigninPage *self,
            const char   *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->password_entry),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
}

/* A sign-in mostly ends well within this (the password check takes about
 * 30 ms): the spinner then never flashes, and no animation is running when
 * the main page is to be painted. */
#define BUSY_SHOWN_DELAY_MS 250
/* At most this long, should nothing resume them */
#define SIGN_IN_PAUSES_READS_MS 500

static void
show_busy (CpSigninPage *self,
           gboolean      busy)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->signin_button), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_label_set_text (self->button_label, busy ? _("Signing In…") : _("Sign In"));
}

static gboolean
busy_shown_cb (gpointer user_data)
{
  CpSigninPage *self = user_data;

  self->busy_shown_id = 0;
  show_busy (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
set_busy (CpSigninPage *self,
          gboolean      busy)
{
  self->busy = busy;
  /* Not insensitive: that would take the focus away from the entries. */
  gtk_editable_set_editable (GTK_EDITABLE (self->username_entry), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->password_entry), !busy);
  g_clear_handle_id (&self->busy_shown_id, g_source_remove);
  if (busy)
    self->busy_shown_id = g_timeout_add (BUSY_SHOWN_DELAY_MS, busy_shown_cb, self);
  else
    show_busy (self, FALSE);
}

static void
authenticate_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CpSigninPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStaff) staff = NULL;

  staff = cp_store_authenticate_finish (CP_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (staff == NULL)
    {
      if (CP_IS_SQLITE_STORE (self->store))
        cp_sqlite_store_resume_reads (CP_SQLITE_STORE (self->store));
      gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
      if (g_error_matches (error, CP_ERROR, CP_ERROR_AUTH))
        show_error (self, _("Wrong username or password. Check both and try again."));
      else if (g_error_matches (error, CP_ERROR, CP_ERROR_PERMISSION))
        show_error (self, _("This account is disabled. Ask an administrator to enable it."));
      else
        {
          g_autofree char *msg = g_strdup_printf (_("Cannot sign in: %s"), error->message);
          show_error (self, msg);
        }
      gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
      return;
    }

  cp_timing_mark ("signed-in");
  show_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
  g_signal_emit (self, signals[SIGNED_IN], 0, staff);
}

static void
authenticate (CpSigninPage *self)
{
  g_autofree char *username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_entry))));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* The list may be reading its whole index behind this page (cp-window.c):
   * the check and the first frame after it go first. The window resumes the
   * read once that frame is painted; a failed sign-in at once. */
  if (CP_IS_SQLITE_STORE (self->store))
    cp_sqlite_store_pause_reads (CP_SQLITE_STORE (self->store), SIGN_IN_PAUSES_READS_MS);
  cp_store_authenticate_async (self->store, username, password, self->cancellable,
                               authenticate_cb, g_object_ref (self));
}

static void
submit (CpSigninPage *self)
{
  g_autofree char *username = NULL;
  const char *password;

  if (self->busy)
    return;

  username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_entry))));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));

  if (*username == '\0')
    {
      show_error (self, _("Enter your username."));
      gtk_widget_grab_focus (GTK_WIDGET (self->username_entry));
      return;
    }
  if (*password == '\0')
    {
      show_error (self, _("Enter your password."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
      return;
    }

  show_error (self, NULL);
  set_busy (self, TRUE);
  cp_timing_mark ("signin-submitted");
  /* The database is still opening: cp_signin_page_set_store() goes on. */
  self->pending = self->store == NULL;
  if (!self->pending)
    authenticate (self);
}

static void
signin_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  submit (CP_SIGNIN_PAGE (widget));
}

static void
username_activate_cb (CpSigninPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
}

static void
password_activate_cb (CpSigninPage *self)
{
  submit (self);
}

static void
cp_signin_page_map (GtkWidget *widget)
{
  CpSigninPage *self = CP_SIGNIN_PAGE (widget);
  static gboolean painted_marked;
  GtkRoot *root;

  GTK_WIDGET_CLASS (cp_signin_page_parent_class)->map (widget);

  /* The benchmarks' start-up marker: the page's first frame in this process. */
  if (!painted_marked)
    {
      painted_marked = TRUE;
      cp_timing_mark_after_paint (widget, "signin-painted");
    }

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_default_widget (GTK_WINDOW (root), GTK_WIDGET (self->signin_button));
  if (*gtk_editable_get_text (GTK_EDITABLE (self->username_entry)) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->username_entry));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
}

static void
cp_signin_page_unmap (GtkWidget *widget)
{
  CpSigninPage *self = CP_SIGNIN_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (GTK_IS_WINDOW (root) &&
      gtk_window_get_default_widget (GTK_WINDOW (root)) == GTK_WIDGET (self->signin_button))
    gtk_window_set_default_widget (GTK_WINDOW (root), NULL);

  GTK_WIDGET_CLASS (cp_signin_page_parent_class)->unmap (widget);
}

static void
cp_signin_page_dispose (GObject *object)
{
  CpSigninPage *self = CP_SIGNIN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_handle_id (&self->busy_shown_id, g_source_remove);

  G_OBJECT_CLASS (cp_signin_page_parent_class)->dispose (object);
}

static void
cp_signin_page_class_init (CpSigninPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_signin_page_dispose;
  widget_class->map = cp_signin_page_map;
  widget_class->unmap = cp_signin_page_unmap;

  signals[SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/cp-signin-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CpSigninPage, username_entry);
  gtk_widget_class_bind_template_child (widget_class, CpSigninPage, password_entry);
  gtk_widget_class_bind_template_child (widget_class, CpSigninPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, CpSigninPage, signin_button);
  gtk_widget_class_bind_template_child (widget_class, CpSigninPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CpSigninPage, button_label);
  gtk_widget_class_bind_template_child (widget_class, CpSigninPage, training_box);
  gtk_widget_class_bind_template_callback (widget_class, username_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_activate_cb);

  gtk_widget_class_install_action (widget_class, "signin.submit", NULL, signin_action);
}

static void
cp_signin_page_init (CpSigninPage *self)
{
  g_autoptr(GSettings) settings = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  settings = g_settings_new (APP_ID);
  gtk_widget_set_visible (self->training_box, g_settings_get_enum (settings, "stripe-mode") == 0);
}

GtkWidget *
cp_signin_page_new (void)
{
  return g_object_new (CP_TYPE_SIGNIN_PAGE, NULL);
}

void
cp_signin_page_set_store (CpSigninPage *self,
                          CpStore      *store)
{
  g_return_if_fail (CP_IS_SIGNIN_PAGE (self));

  if (g_set_object (&self->store, store))
    {
      g_cancellable_cancel (self->cancellable);
      if (self->pending && store != NULL)
        authenticate (self);
      else
        set_busy (self, FALSE);
      self->pending = FALSE;
    }
}

void
cp_signin_page_reset (CpSigninPage *self)
{
  g_return_if_fail (CP_IS_SIGNIN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
  show_error (self, NULL);
  if (*gtk_editable_get_text (GTK_EDITABLE (self->username_entry)) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->username_entry));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
}

gboolean
cp_signin_page_get_busy (CpSigninPage *self)
{
  g_return_val_if_fail (CP_IS_SIGNIN_PAGE (self), FALSE);

  return self->busy;
}

const char *
cp_signin_page_get_error (CpSigninPage *self)
{
  g_return_val_if_fail (CP_IS_SIGNIN_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}
