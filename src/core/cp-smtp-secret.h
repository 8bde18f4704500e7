/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The SMTP password lives in the keyring (libsecret), never in GSettings or
 * the database: schema org.stingrays.CarePay.SmtpPassword, attributes
 * "host" and "username". Both calls block on D-Bus: use a worker thread. */
#define CP_SMTP_PASSWORD_SCHEMA_NAME "org.stingrays.CarePay.SmtpPassword"

gboolean cp_smtp_password_store  (const char    *host,
                                  const char    *username,
                                  const char    *password,
                                  GCancellable  *cancellable,
                                  GError       **error);
/* NULL without an error when there is none. Free with cp_smtp_password_free(). */
char    *cp_smtp_password_lookup (const char    *host,
                                  const char    *username,
                                  GCancellable  *cancellable,
                                  GError       **error);
/* Wipes and frees a looked-up password. */
void     cp_smtp_password_free   (char          *password);

G_END_DECLS
