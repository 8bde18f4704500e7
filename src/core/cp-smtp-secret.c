/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsecret/secret.h>

#include "cp-error.h"
#include "cp-smtp-secret.h"

static const SecretSchema *
smtp_schema (void)
{
  static const SecretSchema schema = {
    CP_SMTP_PASSWORD_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

gboolean
cp_smtp_password_store (const char    *host,
                        const char    *username,
                        const char    *password,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (password != NULL, FALSE);

  host = host ? host : "";
  username = username ? username : "";
  label = g_strdup_printf ("CarePay mail password for %s@%s", username, host);
  if (!secret_password_store_sync (smtp_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                                   cancellable, &local_error,
                                   "host", host, "username", username, NULL))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_FAILED,
                   "Could not store the mail password in the keyring: %s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

char *
cp_smtp_password_lookup (const char    *host,
                         const char    *username,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *value;

  value = secret_password_lookup_sync (smtp_schema (), cancellable, &local_error,
                                       "host", host ? host : "",
                                       "username", username ? username : "", NULL);
  if (local_error != NULL)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_FAILED,
                   "Could not read the mail password from the keyring: %s", local_error->message);
      return NULL;
    }
  return value;
}

void
cp_smtp_password_free (char *password)
{
  secret_password_free (password);
}
