/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A stand-in for GNOME Shell's org.gtk.Notifications on the test's session
 * bus (dbus-run-session), shared by test-app-sync and test-app-prefs: it
 * keeps every notification GApplication sends, in order. */

typedef struct _TestNotifyServer TestNotifyServer;

/* Registers the object and owns the name; returns once the name is ours. */
TestNotifyServer *test_notify_server_new      (void);
void              test_notify_server_free     (TestNotifyServer  *server);
/* How many AddNotification calls arrived. */
guint             test_notify_server_count    (TestNotifyServer  *server);
/* The i-th notification's a{sv}, and its application and notification ids. */
GVariant         *test_notify_server_get      (TestNotifyServer  *server,
                                               guint              i,
                                               const char       **app_id,
                                               const char       **id);
/* The first notification sent with this id, NULL if none. */
GVariant         *test_notify_server_find     (TestNotifyServer  *server,
                                               const char        *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestNotifyServer, test_notify_server_free)

G_END_DECLS
