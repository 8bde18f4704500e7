/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <libsecret/secret.h>

#include "cp-error.h"
#include "cp-stripe-config.h"
#include "cp-stripe-version.h"

struct _CpStripeConfig
{
  GObject  parent_instance;

  char    *api_base;
  char    *js_url;
  char    *keys[3];
};

G_DEFINE_FINAL_TYPE (CpStripeConfig, cp_stripe_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_API_BASE,
  PROP_JS_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const kind_names[] = { "secret", "publishable", "webhook" };

static const SecretSchema *
stripe_key_schema (void)
{
  static const SecretSchema schema = {
    CP_STRIPE_KEY_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

/* Keys are wiped before they are freed so they do not linger in freed heap. */
static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    {
      explicit_bzero (*secret, strlen (*secret));
      g_clear_pointer (secret, g_free);
    }
}

/* g_set_str() is GLib 2.76; we target 2.74. */
static gboolean
set_str (char       **dest,
         const char  *value)
{
  if (g_strcmp0 (*dest, value) == 0)
    return FALSE;
  g_free (*dest);
  *dest = g_strdup (value);
  return TRUE;
}

static void
cp_stripe_config_finalize (GObject *object)
{
  CpStripeConfig *self = CP_STRIPE_CONFIG (object);

  g_clear_pointer (&self->api_base, g_free);
  g_clear_pointer (&self->js_url, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (self->keys); i++)
    clear_secret (&self->keys[i]);

  G_OBJECT_CLASS (cp_stripe_config_parent_class)->finalize (object);
}

static void
cp_stripe_config_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CpStripeConfig *self = CP_STRIPE_CONFIG (object);

  switch (prop_id)
    {
    case PROP_API_BASE:
      g_value_set_string (value, self->api_base);
      break;
    case PROP_JS_URL:
      g_value_set_string (value, self->js_url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_stripe_config_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CpStripeConfig *self = CP_STRIPE_CONFIG (object);

  switch (prop_id)
    {
    case PROP_API_BASE:
      cp_stripe_config_set_api_base (self, g_value_get_string (value));
      break;
    case PROP_JS_URL:
      cp_stripe_config_set_js_url (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_stripe_config_class_init (CpStripeConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_stripe_config_finalize;
  object_class->get_property = cp_stripe_config_get_property;
  object_class->set_property = cp_stripe_config_set_property;

  properties[PROP_API_BASE] =
    g_param_spec_string ("api-base", NULL, NULL, CP_STRIPE_DEFAULT_API_BASE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_JS_URL] =
    g_param_spec_string ("js-url", NULL, NULL, CP_STRIPE_DEFAULT_JS_URL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cp_stripe_config_init (CpStripeConfig *self)
{
  self->api_base = g_strdup (CP_STRIPE_DEFAULT_API_BASE);
  self->js_url = g_strdup (CP_STRIPE_DEFAULT_JS_URL);
}

CpStripeConfig *
cp_stripe_config_new (void)
{
  return g_object_new (CP_TYPE_STRIPE_CONFIG, NULL);
}

static const char *
nonempty_env (const char *name)
{
  const char *value = g_getenv (name);
  return (value != NULL && *value != '\0') ? value : NULL;
}

CpStripeConfig *
cp_stripe_config_new_from_environment (void)
{
  CpStripeConfig *self = cp_stripe_config_new ();
  const char *value;

  if ((value = nonempty_env ("CAREPAY_STRIPE_API_BASE")))
    cp_stripe_config_set_api_base (self, value);
  if ((value = nonempty_env ("CAREPAY_STRIPE_JS_URL")))
    cp_stripe_config_set_js_url (self, value);
  if ((value = nonempty_env ("CAREPAY_STRIPE_SECRET_KEY")))
    cp_stripe_config_set_key (self, CP_STRIPE_KEY_SECRET, value);
  if ((value = nonempty_env ("CAREPAY_STRIPE_PUBLISHABLE_KEY")))
    cp_stripe_config_set_key (self, CP_STRIPE_KEY_PUBLISHABLE, value);
  if ((value = nonempty_env ("CAREPAY_STRIPE_WEBHOOK_SECRET")))
    cp_stripe_config_set_key (self, CP_STRIPE_KEY_WEBHOOK, value);

  return self;
}

CpStripeConfig *
cp_stripe_config_load (GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(CpStripeConfig) self = cp_stripe_config_new_from_environment ();

  if (!cp_stripe_config_load_keyring (self, cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
cp_stripe_config_load_keyring (CpStripeConfig  *self,
                               GCancellable    *cancellable,
                               GError         **error)
{
  g_return_val_if_fail (CP_IS_STRIPE_CONFIG (self), FALSE);

  for (guint kind = 0; kind < G_N_ELEMENTS (self->keys); kind++)
    {
      g_autoptr(GError) local_error = NULL;
      char *value;

      if (self->keys[kind] != NULL)
        continue;

      value = secret_password_lookup_sync (stripe_key_schema (), cancellable, &local_error,
                                           "kind", kind_names[kind], NULL);
      if (local_error != NULL)
        {
          g_set_error (error, CP_ERROR, CP_ERROR_FAILED,
                       "Could not read the Stripe %s key from the keyring: %s",
                       kind_names[kind], local_error->message);
          return FALSE;
        }
      if (value != NULL)
        {
          cp_stripe_config_set_key (self, kind, value);
          secret_password_free (value);
        }
    }

  return TRUE;
}

gboolean
cp_stripe_config_store_keyring (CpStripeConfig  *self,
                                CpStripeKeyKind  kind,
                                const char      *value,
                                GCancellable    *cancellable,
                                GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (CP_IS_STRIPE_CONFIG (self), FALSE);
  g_return_val_if_fail (kind <= CP_STRIPE_KEY_WEBHOOK, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  label = g_strdup_printf ("CarePay Stripe %s key", kind_names[kind]);
  if (!secret_password_store_sync (stripe_key_schema (), SECRET_COLLECTION_DEFAULT, label, value,
                                   cancellable, &local_error, "kind", kind_names[kind], NULL))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_FAILED,
                   "Could not store the Stripe %s key in the keyring: %s",
                   kind_names[kind], local_error->message);
      return FALSE;
    }

  cp_stripe_config_set_key (self, kind, value);
  return TRUE;
}

const char *
cp_stripe_config_get_api_base (CpStripeConfig *self)
{
  g_return_val_if_fail (CP_IS_STRIPE_CONFIG (self), NULL);
  return self->api_base;
}

void
cp_stripe_config_set_api_base (CpStripeConfig *self,
                               const char     *api_base)
{
  g_autofree char *trimmed = NULL;
  gsize len;

  g_return_if_fail (CP_IS_STRIPE_CONFIG (self));

  trimmed = g_strdup (api_base != NULL ? api_base : CP_STRIPE_DEFAULT_API_BASE);
  /* Paths start with "/v1/...", so drop trailing slashes here. */
  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';

  if (set_str (&self->api_base, trimmed))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API_BASE]);
}

const char *
cp_stripe_config_get_js_url (CpStripeConfig *self)
{
  g_return_val_if_fail (CP_IS_STRIPE_CONFIG (self), NULL);
  return self->js_url;
}

void
cp_stripe_config_set_js_url (CpStripeConfig *self,
                             const char     *js_url)
{
  g_return_if_fail (CP_IS_STRIPE_CONFIG (self));

  if (set_str (&self->js_url, js_url != NULL ? js_url : CP_STRIPE_DEFAULT_JS_URL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JS_URL]);
}

const char *
cp_stripe_config_get_key (CpStripeConfig  *self,
                          CpStripeKeyKind  kind)
{
  g_return_val_if_fail (CP_IS_STRIPE_CONFIG (self), NULL);
  g_return_val_if_fail (kind <= CP_STRIPE_KEY_WEBHOOK, NULL);
  return self->keys[kind];
}

void
cp_stripe_config_set_key (CpStripeConfig  *self,
                          CpStripeKeyKind  kind,
                          const char      *value)
{
  g_return_if_fail (CP_IS_STRIPE_CONFIG (self));
  g_return_if_fail (kind <= CP_STRIPE_KEY_WEBHOOK);

  clear_secret (&self->keys[kind]);
  if (value != NULL && *value != '\0')
    self->keys[kind] = g_strstrip (g_strdup (value));
}

const char *
cp_stripe_config_get_secret_key (CpStripeConfig *self)
{
  return cp_stripe_config_get_key (self, CP_STRIPE_KEY_SECRET);
}

const char *
cp_stripe_config_get_publishable_key (CpStripeConfig *self)
{
  return cp_stripe_config_get_key (self, CP_STRIPE_KEY_PUBLISHABLE);
}

const char *
cp_stripe_config_get_webhook_secret (CpStripeConfig *self)
{
  return cp_stripe_config_get_key (self, CP_STRIPE_KEY_WEBHOOK);
}

gboolean
cp_stripe_config_has_secret_key (CpStripeConfig *self)
{
  return cp_stripe_config_get_secret_key (self) != NULL;
}

gboolean
cp_stripe_config_is_test_mode (CpStripeConfig *self)
{
  const char *key = cp_stripe_config_get_secret_key (self);

  return key != NULL && (g_str_has_prefix (key, "sk_test_") || g_str_has_prefix (key, "rk_test_"));
}

char *
cp_stripe_redact_key (const char *key)
{
  static const char * const prefixes[] = {
    "sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_", "whsec_",
  };
  const char *prefix = "";
  gsize len;

  if (key == NULL || *key == '\0')
    return g_strdup ("(none)");

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (key, prefixes[i]))
      prefix = prefixes[i];

  len = strlen (key);
  /* Show the last four only when at least twelve characters stay hidden. */
  if (len < strlen (prefix) + 16)
    return g_strdup_printf ("%s…", prefix);
  return g_strdup_printf ("%s…%s", prefix, key + len - 4);
}
