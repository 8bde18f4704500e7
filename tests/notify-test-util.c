/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "notify-test-util.h"

static const char notifications_xml[] =
  "<node><interface name='org.gtk.Notifications'>"
  "  <method name='AddNotification'>"
  "    <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "  </method>"
  "  <method name='RemoveNotification'>"
  "    <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "  </method>"
  "</interface></node>";

struct _TestNotifyServer
{
  GDBusConnection *bus;
  guint            registration;
  guint            owner;
  gboolean         owned;
  GPtrArray       *app_ids;        /* of char* */
  GPtrArray       *ids;            /* of char* */
  GPtrArray       *notifications;  /* of GVariant a{sv} */
};

static void
call_cb (GDBusConnection       *connection,
         const char            *sender,
         const char            *object_path,
         const char            *interface_name,
         const char            *method_name,
         GVariant              *parameters,
         GDBusMethodInvocation *invocation,
         gpointer               user_data)
{
  TestNotifyServer *server = user_data;

  if (g_strcmp0 (method_name, "AddNotification") == 0)
    {
      char *app_id = NULL;
      char *id = NULL;
      GVariant *notification = NULL;

      g_variant_get (parameters, "(ss@a{sv})", &app_id, &id, &notification);
      g_ptr_array_add (server->app_ids, app_id);
      g_ptr_array_add (server->ids, id);
      g_ptr_array_add (server->notifications, notification);
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
acquired_cb (GDBusConnection *connection,
             const char      *name,
             gpointer         user_data)
{
  ((TestNotifyServer *) user_data)->owned = TRUE;
}

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

TestNotifyServer *
test_notify_server_new (void)
{
  static const GDBusInterfaceVTable vtable = { call_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  TestNotifyServer *server = g_new0 (TestNotifyServer, 1);
  gboolean timed_out = FALSE;
  guint timeout;

  server->app_ids = g_ptr_array_new_with_free_func (g_free);
  server->ids = g_ptr_array_new_with_free_func (g_free);
  server->notifications = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  server->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  server->registration = g_dbus_connection_register_object (server->bus, "/org/gtk/Notifications",
                                                            info->interfaces[0], &vtable, server, NULL,
                                                            &error);
  g_assert_no_error (error);
  server->owner = g_bus_own_name_on_connection (server->bus, "org.gtk.Notifications",
                                                G_BUS_NAME_OWNER_FLAGS_NONE, acquired_cb, NULL,
                                                server, NULL);
  /* The limit only stops a hung test. */
  timeout = g_timeout_add_seconds (10, timed_out_cb, &timed_out);
  while (!server->owned && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  if (!server->owned)
    g_error ("Timed out owning org.gtk.Notifications");
  return server;
}

void
test_notify_server_free (TestNotifyServer *server)
{
  if (server == NULL)
    return;
  g_bus_unown_name (server->owner);
  g_dbus_connection_unregister_object (server->bus, server->registration);
  g_clear_object (&server->bus);
  g_ptr_array_unref (server->app_ids);
  g_ptr_array_unref (server->ids);
  g_ptr_array_unref (server->notifications);
  g_free (server);
}

guint
test_notify_server_count (TestNotifyServer *server)
{
  return server->notifications->len;
}

GVariant *
test_notify_server_get (TestNotifyServer  *server,
                        guint              i,
                        const char       **app_id,
                        const char       **id)
{
  g_assert_cmpuint (i, <, server->notifications->len);
  if (app_id != NULL)
    *app_id = server->app_ids->pdata[i];
  if (id != NULL)
    *id = server->ids->pdata[i];
  return server->notifications->pdata[i];
}

GVariant *
test_notify_server_find (TestNotifyServer *server,
                         const char       *id)
{
  for (guint i = 0; i < server->ids->len; i++)
    if (g_strcmp0 (server->ids->pdata[i], id) == 0)
      return server->notifications->pdata[i];
  return NULL;
}
