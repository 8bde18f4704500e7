/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "cp-error.h"
#include "cp-hospital.h"

void
cp_hospital_load (CpHospital *hospital)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  hospital->name = g_settings_get_string (settings, "hospital-name");
  hospital->address = g_settings_get_string (settings, "hospital-address");
  hospital->logo = g_settings_get_string (settings, "hospital-logo");
  if (*hospital->name == '\0')
    {
      g_free (hospital->name);
      hospital->name = g_strdup (_("Billing office"));
    }
  if (*hospital->logo == '\0' || !g_file_test (hospital->logo, G_FILE_TEST_IS_REGULAR))
    g_clear_pointer (&hospital->logo, g_free);
}

void
cp_hospital_clear (CpHospital *hospital)
{
  g_clear_pointer (&hospital->name, g_free);
  g_clear_pointer (&hospital->address, g_free);
  g_clear_pointer (&hospital->logo, g_free);
}

void
cp_hospital_header (const CpHospital *hospital,
                    CpReceiptHeader  *header)
{
  header->name = hospital->name;
  header->address = hospital->address;
  header->logo_path = hospital->logo;
  header->paper = CP_PAPER_AUTO;
}

CpMailConfig *
cp_hospital_mail_config (const char  *not_set_up,
                         GError     **error)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(CpMailConfig) config = NULL;

  if (g_getenv ("CAREPAY_SMTP_HOST") != NULL)
    return cp_mail_config_from_env (error);

  settings = g_settings_new (APP_ID);
  config = cp_mail_config_new ();
  config->host = g_settings_get_string (settings, "smtp-host");
  config->port = g_settings_get_uint (settings, "smtp-port");
  config->security = (CpMailSecurity) g_settings_get_enum (settings, "smtp-security");
  config->username = g_settings_get_string (settings, "smtp-username");
  config->from_address = g_settings_get_string (settings, "smtp-from");
  config->from_name = g_settings_get_string (settings, "hospital-name");
  if (*config->username == '\0')
    g_clear_pointer (&config->username, g_free);
  if (*config->from_name == '\0')
    g_clear_pointer (&config->from_name, g_free);
  if (*config->host == '\0' || *config->from_address == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT, not_set_up);
      return NULL;
    }
  return g_steal_pointer (&config);
}
