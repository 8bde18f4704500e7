/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-staff-page.h"

#define MIN_PASSWORD_LENGTH 8

struct _CpStaffPage
{
  AdwPreferencesPage   parent_instance;

  CpStore             *store;
  gint64               admin_id;
  GCancellable        *cancellable;
  GPtrArray           *rows;        /* AdwActionRow, in accounts_group */
  guint                busy;
  gboolean             updating;
  AdwMessageDialog    *dialog;      /* weak: the password reset on screen */

  AdwPreferencesGroup *accounts_group;
  AdwEntryRow         *username_row;
  AdwEntryRow         *display_name_row;
  AdwComboRow         *role_row;
  GtkStringList       *role_list;
  AdwEntryRow         *password_row;
  GtkLabel            *error_label;
  GtkWidget           *add_button;
};

G_DEFINE_FINAL_TYPE (CpStaffPage, cp_staff_page, ADW_TYPE_PREFERENCES_PAGE)

typedef struct {
  gint64        id;
  char         *username;
  CpRole        role;
  gboolean      active;
  GtkDropDown  *role_dropdown;
  GtkSwitch    *active_switch;
} Account;

static void
account_free (gpointer data)
{
  Account *account = data;

  g_free (account->username);
  g_free (account);
}

static void
show_error (CpStaffPage *self,
            const char  *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* The store checks the acting account's role in the database and audits
 * each change; only the id of the signed-in administrator is needed. */
#define ACTOR(self) (&(const CpStaff) { .id = (self)->admin_id })

static void
update_subtitle (AdwActionRow *row,
                 Account      *account)
{
  g_autofree char *subtitle = NULL;

  if (account->active)
    subtitle = g_strdup (account->username);
  else
    /* Translators: a staff account's user name, then its state */
    subtitle = g_strdup_printf (_("%s · deactivated"), account->username);
  adw_action_row_set_subtitle (row, subtitle);
}

/* An account change made on a worker thread: a new account, a new initial
 * password, role or active state for account `id`. The password is wiped
 * when it goes. */
typedef enum {
  STAFF_CHANGE_ADD,
  STAFF_CHANGE_PASSWORD,
  STAFF_CHANGE_ROLE,
  STAFF_CHANGE_ACTIVE,
} StaffChangeKind;

typedef struct {
  StaffChangeKind  kind;
  gint64           id;
  char            *username;
  char            *display_name;
  CpRole           role;
  gboolean         active;
  char            *password;
  AdwActionRow    *row;       /* owned; role and active changes */
  CpStore         *store;     /* owned: the page may go while it runs */
} StaffChange;

static void
staff_change_free (gpointer data)
{
  StaffChange *change = data;

  g_free (change->username);
  g_free (change->display_name);
  if (change->password != NULL)
    explicit_bzero (change->password, strlen (change->password));
  g_free (change->password);
  g_clear_object (&change->row);
  g_clear_object (&change->store);
  g_free (change);
}

static void
staff_change_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  CpStaffPage *self = source_object;
  StaffChange *change = task_data;
  CpStore *store = change->store;
  GError *error = NULL;
  gboolean done;

  switch (change->kind)
    {
    case STAFF_CHANGE_ADD:
      done = cp_store_add_staff (store, ACTOR (self), change->username, change->display_name,
                                 change->role, change->password, &error);
      break;
    case STAFF_CHANGE_PASSWORD:
      done = cp_store_set_staff_password (store, ACTOR (self), change->id, change->password, &error);
      break;
    case STAFF_CHANGE_ROLE:
      done = cp_store_set_staff_role (store, ACTOR (self), change->id, change->role, &error);
      break;
    case STAFF_CHANGE_ACTIVE:
      done = cp_store_set_staff_active (store, ACTOR (self), change->id, change->active, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (!done)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Takes `change`; `done_cb` runs here once it is made or has failed. */
static void
run_staff_change (CpStaffPage         *self,
                  StaffChange         *change,
                  GAsyncReadyCallback  done_cb,
                  gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, done_cb, NULL);

  change->store = g_object_ref (self->store);

  self->busy++;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, change, staff_change_free);
  g_task_run_in_thread (task, staff_change_thread);
}

/* The page was disposed while a change ran: its widgets are gone. */
static gboolean
page_gone (CpStaffPage *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

/* Shows the change's error, or clears the last one; TRUE when it was made. */
static gboolean
finish_staff_change (CpStaffPage  *self,
                     GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;

  self->busy--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (page_gone (self))
        return FALSE;
      show_error (self, error->message);
      return FALSE;
    }
  show_error (self, NULL);
  return TRUE;
}

/* The row's role drop-down or its switch changed: the store saves the change
 * in a worker (it checks and audits it) while the row's controls wait; then
 * the row shows it, or its controls go back and the error shows. */
static void
account_changed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CpStaffPage *self = CP_STAFF_PAGE (source);
  StaffChange *change = g_task_get_task_data (G_TASK (result));
  Account *account = g_object_get_data (G_OBJECT (change->row), "account");
  gboolean saved = finish_staff_change (self, result);

  if (page_gone (self))
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (account->role_dropdown), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (account->active_switch), TRUE);
  if (!saved)
    {
      self->updating = TRUE;
      gtk_drop_down_set_selected (account->role_dropdown, account->role);
      gtk_switch_set_active (account->active_switch, account->active);
      self->updating = FALSE;
      return;
    }
  if (change->kind == STAFF_CHANGE_ROLE)
    account->role = change->role;
  else
    account->active = change->active;
  update_subtitle (change->row, account);
}

static void
account_control_changed_cb (GObject      *control,
                            GParamSpec   *pspec,
                            AdwActionRow *row)
{
  CpStaffPage *self = CP_STAFF_PAGE (gtk_widget_get_ancestor (GTK_WIDGET (row), CP_TYPE_STAFF_PAGE));
  Account *account = g_object_get_data (G_OBJECT (row), "account");
  StaffChange *change;
  CpRole role;
  gboolean active;

  if (self == NULL || self->updating)
    return;
  role = gtk_drop_down_get_selected (account->role_dropdown);
  active = gtk_switch_get_active (account->active_switch);
  if (role == account->role && active == account->active)
    return;

  change = g_new0 (StaffChange, 1);
  change->kind = role != account->role ? STAFF_CHANGE_ROLE : STAFF_CHANGE_ACTIVE;
  change->id = account->id;
  change->username = g_strdup (account->username);
  change->role = role;
  change->active = active;
  change->row = g_object_ref (row);
  gtk_widget_set_sensitive (GTK_WIDGET (account->role_dropdown), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (account->active_switch), FALSE);
  run_staff_change (self, change, account_changed_cb, account_control_changed_cb);
}

/* Password reset: an administrator sets a new initial password. */

static void
reset_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  finish_staff_change (CP_STAFF_PAGE (source), result);
}

static void
reset_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   CpStaffPage      *self)
{
  Account *account = g_object_get_data (G_OBJECT (dialog), "account");
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  StaffChange *reset;

  if (g_strcmp0 (response, "reset") != 0)
    return;
  if (g_utf8_strlen (gtk_editable_get_text (entry), -1) < MIN_PASSWORD_LENGTH)
    {
      show_error (self, _("The new password needs 8 characters or more"));
      return;
    }
  reset = g_new0 (StaffChange, 1);
  reset->kind = STAFF_CHANGE_PASSWORD;
  reset->id = account->id;
  reset->username = g_strdup (account->username);
  reset->password = g_strdup (gtk_editable_get_text (entry));
  gtk_editable_set_text (entry, "");
  run_staff_change (self, reset, reset_done_cb, reset_response_cb);
}

static void
reset_clicked_cb (GtkButton    *button,
                  AdwActionRow *row)
{
  CpStaffPage *self = CP_STAFF_PAGE (gtk_widget_get_ancestor (GTK_WIDGET (row), CP_TYPE_STAFF_PAGE));
  Account *account = g_object_get_data (G_OBJECT (row), "account");
  /* A plain hidden entry: with GTK 4.8, destroying a message dialog that
   * holds a GtkPasswordEntry hit an invalid cast in our tests. */
  GtkWidget *entry = gtk_entry_new ();
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (row));
  AdwMessageDialog *dialog;

  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("New password"), -1);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Reset Password?"), NULL));
  adw_message_dialog_format_body (dialog, _("%s signs in with the new password from now on. "
                                            "Give it to them in person."),
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "reset", _("_Reset Password"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "reset", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "account", account);
  g_signal_connect_object (dialog, "response", G_CALLBACK (reset_response_cb), self, 0);
  g_set_weak_pointer (&self->dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
account_row_new (CpStaffPage   *self,
                 const CpStaff *staff)
{
  static const char *roles[4];
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  Account *account = g_new0 (Account, 1);
  gboolean is_me = staff->id == self->admin_id;
  g_autofree char *active_label = NULL;

  roles[0] = cp_role_label (CP_ROLE_CLERK);
  roles[1] = cp_role_label (CP_ROLE_SUPERVISOR);
  roles[2] = cp_role_label (CP_ROLE_ADMIN);

  account->id = staff->id;
  account->username = g_strdup (staff->username);
  account->role = staff->role;
  account->active = staff->active;
  g_object_set_data_full (G_OBJECT (row), "account", account, account_free);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), staff->display_name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  update_subtitle (row, account);

  account->role_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (roles));
  gtk_drop_down_set_selected (account->role_dropdown, staff->role);
  gtk_widget_set_valign (GTK_WIDGET (account->role_dropdown), GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (GTK_WIDGET (account->role_dropdown), !is_me);
  gtk_accessible_update_property (GTK_ACCESSIBLE (account->role_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Role"), -1);
  g_signal_connect (account->role_dropdown, "notify::selected", G_CALLBACK (account_control_changed_cb), row);
  adw_action_row_add_suffix (row, GTK_WIDGET (account->role_dropdown));

  account->active_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_switch_set_active (account->active_switch, staff->active);
  gtk_widget_set_valign (GTK_WIDGET (account->active_switch), GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (GTK_WIDGET (account->active_switch), !is_me);
  gtk_widget_set_tooltip_text (GTK_WIDGET (account->active_switch),
                               is_me ? _("You cannot deactivate your own account")
                                     : _("Whether the account can sign in"));
  active_label = g_strdup_printf (_("%s can sign in"), staff->display_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (account->active_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, active_label, -1);
  g_signal_connect (account->active_switch, "notify::active", G_CALLBACK (account_control_changed_cb), row);
  adw_action_row_add_suffix (row, GTK_WIDGET (account->active_switch));

  if (!is_me)
    {
      GtkWidget *reset = gtk_button_new_from_icon_name ("dialog-password-symbolic");

      gtk_widget_set_valign (reset, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (reset, "flat");
      gtk_widget_set_tooltip_text (reset, _("Reset Password…"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (reset), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Reset password"), -1);
      g_signal_connect (reset, "clicked", G_CALLBACK (reset_clicked_cb), row);
      adw_action_row_add_suffix (row, reset);
    }

  return GTK_WIDGET (row);
}

void
cp_staff_page_reload (CpStaffPage *self)
{
  g_autoptr(GPtrArray) staff = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CP_IS_STAFF_PAGE (self));

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->accounts_group, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);

  staff = cp_store_list_staff (self->store, &error);
  if (staff == NULL)
    {
      show_error (self, error->message);
      return;
    }
  for (guint i = 0; i < staff->len; i++)
    {
      GtkWidget *row = account_row_new (self, staff->pdata[i]);

      adw_preferences_group_add (self->accounts_group, row);
      g_ptr_array_add (self->rows, row);
    }
}

/* Adding an account */

static gboolean
valid_username (const char *username)
{
  if (*username == '\0' || strlen (username) > 64)
    return FALSE;
  for (const char *p = username; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && strchr ("._-", *p) == NULL)
      return FALSE;
  return TRUE;
}

static void
form_changed_cb (CpStaffPage *self)
{
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  gtk_widget_set_sensitive (self->add_button,
                            self->busy == 0 && *username != '\0' && *password != '\0');
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CpStaffPage *self = CP_STAFF_PAGE (source);
  gboolean made = finish_staff_change (self, result);

  if (page_gone (self))
    return;
  if (!made)
    {
      form_changed_cb (self);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->display_name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  adw_combo_row_set_selected (self->role_row, CP_ROLE_CLERK);
  cp_staff_page_reload (self);
  form_changed_cb (self);
}

static void
add_clicked_cb (CpStaffPage *self)
{
  g_autofree char *username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
  g_autofree char *display_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->display_name_row))));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  StaffChange *na;

  if (!valid_username (username))
    {
      show_error (self, _("A user name is made of lower-case letters, digits, “.”, “_” and “-”"));
      return;
    }
  if (g_utf8_strlen (password, -1) < MIN_PASSWORD_LENGTH)
    {
      show_error (self, _("The initial password needs 8 characters or more"));
      return;
    }

  na = g_new0 (StaffChange, 1);
  na->kind = STAFF_CHANGE_ADD;
  na->username = g_steal_pointer (&username);
  na->display_name = *display_name != '\0' ? g_steal_pointer (&display_name) : g_strdup (na->username);
  na->role = adw_combo_row_get_selected (self->role_row);
  na->password = g_strdup (password);
  if (na->role > CP_ROLE_ADMIN)
    na->role = CP_ROLE_CLERK;

  gtk_widget_set_sensitive (self->add_button, FALSE);
  run_staff_change (self, na, created_cb, add_clicked_cb);
}

/* GObject */

static void
cp_staff_page_dispose (GObject *object)
{
  CpStaffPage *self = CP_STAFF_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  g_clear_weak_pointer (&self->dialog);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_STAFF_PAGE);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cp_staff_page_parent_class)->dispose (object);
}

static void
cp_staff_page_finalize (GObject *object)
{
  CpStaffPage *self = CP_STAFF_PAGE (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cp_staff_page_parent_class)->finalize (object);
}

static void
cp_staff_page_class_init (CpStaffPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_staff_page_dispose;
  object_class->finalize = cp_staff_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/cp-staff-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CpStaffPage, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, CpStaffPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, CpStaffPage, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, CpStaffPage, role_row);
  gtk_widget_class_bind_template_child (widget_class, CpStaffPage, role_list);
  gtk_widget_class_bind_template_child (widget_class, CpStaffPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, CpStaffPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, CpStaffPage, add_button);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
}

static void
cp_staff_page_init (CpStaffPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_string_list_append (self->role_list, cp_role_label (CP_ROLE_CLERK));
  gtk_string_list_append (self->role_list, cp_role_label (CP_ROLE_SUPERVISOR));
  gtk_string_list_append (self->role_list, cp_role_label (CP_ROLE_ADMIN));
  adw_combo_row_set_selected (self->role_row, CP_ROLE_CLERK);
}

CpStaffPage *
cp_staff_page_new (CpStore       *store,
                   const CpStaff *admin)
{
  CpStaffPage *self;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);
  g_return_val_if_fail (admin != NULL, NULL);

  self = g_object_new (CP_TYPE_STAFF_PAGE, NULL);
  self->store = g_object_ref (store);
  self->admin_id = admin->id;
  cp_staff_page_reload (self);
  return self;
}

guint
cp_staff_page_get_busy (CpStaffPage *self)
{
  g_return_val_if_fail (CP_IS_STAFF_PAGE (self), 0);
  return self->busy;
}

AdwActionRow *
cp_staff_page_get_account_row (CpStaffPage *self,
                               const char  *username)
{
  g_return_val_if_fail (CP_IS_STAFF_PAGE (self), NULL);

  for (guint i = 0; i < self->rows->len; i++)
    {
      Account *a = g_object_get_data (self->rows->pdata[i], "account");

      if (g_strcmp0 (a->username, username) == 0)
        return self->rows->pdata[i];
    }
  return NULL;
}

AdwMessageDialog *
cp_staff_page_get_dialog (CpStaffPage *self)
{
  g_return_val_if_fail (CP_IS_STAFF_PAGE (self), NULL);
  return self->dialog;
}

const char *
cp_staff_page_get_error (CpStaffPage *self)
{
  g_return_val_if_fail (CP_IS_STAFF_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}
