/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cp-mail-send.h"
#include "cp-smtp-secret.h"

typedef struct {
  CpStore       *store;
  CpMailConfig  *config;
  CpMailMessage *message;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->config, cp_mail_config_free);
  g_clear_pointer (&data->message, cp_mail_message_free);
  g_free (data);
}

static void
send_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SendData *data = task_data;
  g_autoptr(CpMailer) mailer = NULL;
  GError *error = NULL;

  if (data->config->username != NULL && data->config->password == NULL)
    {
      char *password = cp_smtp_password_lookup (data->config->host, data->config->username,
                                                cancellable, &error);

      if (error != NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      data->config->password = g_strdup (password);
      if (password != NULL)
        cp_smtp_password_free (password);
    }
  mailer = cp_mailer_new (data->config, data->store);
  if (cp_mailer_send (mailer, data->message, NULL, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cp_mail_send_async (CpStore             *store,
                    const CpMailConfig  *config,
                    CpMailMessage       *message,
                    gpointer             source_tag,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SendData *data = g_new0 (SendData, 1);

  g_task_set_source_tag (task, source_tag);
  data->store = g_object_ref (store);
  data->config = cp_mail_config_copy (config);
  data->message = message;
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
  g_task_run_in_thread (task, send_thread);
}

gboolean
cp_mail_send_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
