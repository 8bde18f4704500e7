/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HL7 FHIR R4 JSON import: Patient and Invoice resources, alone or as the
 * entries of a Bundle. Errors name the JSON path of the value at fault,
 * such as entry[3].resource.lineItem[0].priceComponent[0].amount.value.
 *
 * Amounts stay exact: json-glib reads every JSON number as a double, and
 * 0.07 or 100000.01 have no exact double. So before parsing, every number
 * token outside strings is rewritten into a string holding a random marker
 * and the token's own digits; the readers below take the digits from there
 * (and a real JSON string in that place is still a type error, as the
 * marker cannot be guessed). */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cp-error.h"
#include "cp-money.h"
#include "cp-import-private.h"

#define DUE_DATE_EXTENSION "http://carepay.stingrays.org/fhir/StructureDefinition/invoice-due-date"

typedef struct {
  CpImportBatch *batch;
  char          *marker;        /* "\x01<uuid>:" */
  GHashTable    *patient_refs;  /* "Patient/<id>" or fullUrl -> MRN */
  GHashTable    *mrns;          /* MRN -> path of its Patient */
  GHashTable    *numbers;       /* invoice number -> path of its Invoice */
} Fhir;

#define fhir_error(f, ...) cp_import_error ((f)->batch, __VA_ARGS__)

/* Number tokens into marked strings */

static char *
mark_numbers (const char *data,
              gsize       length,
              const char *nonce)
{
  GString *out = g_string_sized_new (length + length / 4);
  const char *p = data;
  const char *end = data + length;
  gboolean in_string = FALSE;

  while (p < end)
    {
      char c = *p;

      if (in_string)
        {
          g_string_append_c (out, c);
          if (c == '\\' && p + 1 < end)
            {
              g_string_append_c (out, p[1]);
              p += 2;
              continue;
            }
          if (c == '"')
            in_string = FALSE;
          p++;
        }
      else if (c == '"')
        {
          in_string = TRUE;
          g_string_append_c (out, c);
          p++;
        }
      else if (c == '-' || g_ascii_isdigit (c))
        {
          const char *start = p;

          while (p < end && (g_ascii_isdigit (*p) || *p == '-' || *p == '+' || *p == '.' ||
                             *p == 'e' || *p == 'E'))
            p++;
          g_string_append_printf (out, "\"\\u0001%s:", nonce);
          g_string_append_len (out, start, p - start);
          g_string_append_c (out, '"');
        }
      else
        {
          g_string_append_c (out, c);
          p++;
        }
    }
  return g_string_free (out, FALSE);
}

/* A JSON number token as a plain decimal ("1.5e2" -> "150", "19.990" ->
 * "19.99"), or NULL when it is not one we take. */
static char *
plain_decimal (const char *token)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = token;
  gboolean negative = FALSE;
  gint64 point;
  gint64 exponent = 0;
  gsize first;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (!g_ascii_isdigit (*p))
    return NULL;
  while (g_ascii_isdigit (*p))
    g_string_append_c (digits, *p++);
  point = (gint64) digits->len;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return NULL;
      while (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p++);
    }
  if (*p == 'e' || *p == 'E')
    {
      guint64 magnitude;
      gboolean minus = FALSE;

      p++;
      if (*p == '+' || *p == '-')
        minus = *p++ == '-';
      if (!g_ascii_string_to_unsigned (p, 10, 0, 40, &magnitude, NULL))
        return NULL;
      exponent = minus ? -(gint64) magnitude : (gint64) magnitude;
      p += strlen (p);
    }
  if (*p != '\0')
    return NULL;

  point += exponent;
  while (point > (gint64) digits->len)
    g_string_append_c (digits, '0');
  while (point < 0)
    {
      g_string_prepend_c (digits, '0');
      point++;
    }
  if (point == 0)
    {
      g_string_prepend_c (digits, '0');
      point = 1;
    }

  /* Leading zeros of the whole part and trailing zeros of the fraction */
  first = 0;
  while ((gint64) first + 1 < point && digits->str[first] == '0')
    first++;
  while ((gint64) digits->len > point && digits->str[digits->len - 1] == '0')
    g_string_truncate (digits, digits->len - 1);

  if (negative)
    g_string_append_c (out, '-');
  g_string_append_len (out, digits->str + first, point - (gint64) first);
  if ((gint64) digits->len > point)
    {
      g_string_append_c (out, '.');
      g_string_append (out, digits->str + point);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Paths and typed members */

/* "a.b"; a prefix such as "line 3: " takes the name without a dot. */
static char *
path_member (const char *path,
             const char *name)
{
  gsize len = strlen (path);

  if (len == 0 || path[len - 1] == ' ')
    return g_strconcat (path, name, NULL);
  return g_strconcat (path, ".", name, NULL);
}

static char *
path_index (const char *path,
            guint       i)
{
  return g_strdup_printf ("%s[%u]", path, i);
}

static gboolean
is_marked_number (Fhir     *f,
                  JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
         g_str_has_prefix (json_node_get_string (node), f->marker);
}

static const char *
kind_name (Fhir     *f,
           JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("an array");
  if (JSON_NODE_HOLDS_NULL (node))
    return _("null");
  if (is_marked_number (f, node))
    return _("a number");
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return _("a string");
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return _("true or false");
  return _("a number");
}

/* The member, or NULL when absent or null (a missing required one is an error). */
static JsonNode *
member (Fhir        *f,
        JsonObject  *object,
        const char  *path,
        const char  *name,
        gboolean     required)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    node = NULL;
  if (node == NULL && required)
    {
      g_autofree char *where = path_member (path, name);

      fhir_error (f, _("%s: required but missing"), where);
    }
  return node;
}

static void
type_error (Fhir        *f,
            const char  *path,
            const char  *name,
            const char  *expected,
            JsonNode    *node)
{
  g_autofree char *where = path_member (path, name);

  fhir_error (f, _("%s: expected %s, found %s"), where, expected, kind_name (f, node));
}

/* FALSE after an error; *out NULL when absent and optional. */
static gboolean
get_string (Fhir        *f,
            JsonObject  *object,
            const char  *path,
            const char  *name,
            gboolean     required,
            const char **out)
{
  JsonNode *node = member (f, object, path, name, required);

  *out = NULL;
  if (node == NULL)
    return !required;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      is_marked_number (f, node))
    {
      type_error (f, path, name, _("a string"), node);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_number (Fhir        *f,
            JsonObject  *object,
            const char  *path,
            const char  *name,
            gboolean     required,
            char       **out)
{
  JsonNode *node = member (f, object, path, name, required);

  *out = NULL;
  if (node == NULL)
    return !required;
  if (!is_marked_number (f, node))
    {
      type_error (f, path, name, _("a number"), node);
      return FALSE;
    }
  *out = plain_decimal (json_node_get_string (node) + strlen (f->marker));
  if (*out == NULL)
    {
      g_autofree char *where = path_member (path, name);

      fhir_error (f, _("%s: “%s” is not a number"), where, json_node_get_string (node) + strlen (f->marker));
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_bool (Fhir        *f,
          JsonObject  *object,
          const char  *path,
          const char  *name,
          gboolean    *out)
{
  JsonNode *node = member (f, object, path, name, FALSE);

  *out = FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      type_error (f, path, name, _("true or false"), node);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_object (Fhir        *f,
            JsonObject  *object,
            const char  *path,
            const char  *name,
            gboolean     required,
            JsonObject **out)
{
  JsonNode *node = member (f, object, path, name, required);

  *out = NULL;
  if (node == NULL)
    return !required;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      type_error (f, path, name, _("an object"), node);
      return FALSE;
    }
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
get_array (Fhir        *f,
           JsonObject  *object,
           const char  *path,
           const char  *name,
           gboolean     required,
           JsonArray  **out)
{
  JsonNode *node = member (f, object, path, name, required);

  *out = NULL;
  if (node == NULL)
    return !required;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      type_error (f, path, name, _("an array"), node);
      return FALSE;
    }
  if (required && json_array_get_length (json_node_get_array (node)) == 0)
    {
      g_autofree char *where = path_member (path, name);

      fhir_error (f, _("%s: required but empty"), where);
      return FALSE;
    }
  *out = json_node_get_array (node);
  return TRUE;
}

/* Element i of an array that must hold objects. */
static JsonObject *
element_object (Fhir       *f,
                JsonArray  *array,
                guint       i,
                const char *path)
{
  JsonNode *node = json_array_get_element (array, i);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *where = path_index (path, i);

      fhir_error (f, _("%s: expected an object, found %s"), where, kind_name (f, node));
      return NULL;
    }
  return json_node_get_object (node);
}

/* A string member without errors (for choosing among elements). */
static const char *
peek_string (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
peek_true (JsonObject *object,
           const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

/* Patient */

static gboolean
coding_has_code (Fhir       *f,
                 JsonObject *concept,
                 const char *code)
{
  JsonNode *node = json_object_get_member (concept, "coding");
  JsonArray *codings;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  codings = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (codings); i++)
    {
      JsonNode *coding = json_array_get_element (codings, i);
      JsonNode *value;

      if (!JSON_NODE_HOLDS_OBJECT (coding))
        continue;
      value = json_object_get_member (json_node_get_object (coding), "code");
      if (value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
          json_node_get_value_type (value) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (value), code) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Index of the element whose member `name` is the first of `wanted` found,
 * else 0. */
static guint
pick_by_string (JsonArray          *array,
                const char         *name,
                const char *const  *wanted)
{
  for (guint w = 0; wanted[w] != NULL; w++)
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonNode *node = json_array_get_element (array, i);
        const char *value;

        if (!JSON_NODE_HOLDS_OBJECT (node))
          continue;
        value = peek_string (json_node_get_object (node), name);
        if (g_strcmp0 (value, wanted[w]) == 0)
          return i;
      }
  return 0;
}

static char *
patient_mrn (Fhir       *f,
             JsonObject *resource,
             const char *path)
{
  g_autofree char *ids_path = path_member (path, "identifier");
  JsonArray *ids;
  guint chosen = 0;
  const char *value;

  if (!get_array (f, resource, path, "identifier", TRUE, &ids) || ids == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      JsonNode *node = json_array_get_element (ids, i);
      JsonNode *type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      type = json_object_get_member (json_node_get_object (node), "type");
      if (type != NULL && JSON_NODE_HOLDS_OBJECT (type) &&
          coding_has_code (f, json_node_get_object (type), "MR"))
        {
          chosen = i;
          break;
        }
    }

  {
    g_autofree char *id_path = path_index (ids_path, chosen);
    JsonObject *id = element_object (f, ids, chosen, ids_path);

    if (id == NULL || !get_string (f, id, id_path, "value", TRUE, &value))
      return NULL;
    if (*value == '\0')
      {
        g_autofree char *where = path_member (id_path, "value");

        fhir_error (f, _("%s: the medical record number is empty"), where);
        return NULL;
      }
  }
  return g_strdup (value);
}

/* Appends the strings of the array `member` of `object` (at `path`) to
 * `out`, each after `separator` once `out` is not empty; an element that
 * is not a string is an error and left out. */
static void
append_strings (Fhir       *f,
                JsonObject *object,
                const char *path,
                const char *member,
                const char *separator,
                GString    *out)
{
  g_autofree char *array_path = NULL;
  JsonArray *array;

  if (!get_array (f, object, path, member, FALSE, &array) || array == NULL)
    return;
  array_path = path_member (path, member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
          is_marked_number (f, node))
        {
          g_autofree char *where = path_index (array_path, i);

          fhir_error (f, _("%s: expected a string, found %s"), where, kind_name (f, node));
          continue;
        }
      g_string_append_printf (out, "%s%s", out->len > 0 ? separator : "", json_node_get_string (node));
    }
}

static void
patient_name (Fhir       *f,
              JsonObject *resource,
              const char *path,
              CpPatient  *patient)
{
  static const char *const uses[] = { "official", "usual", NULL };
  g_autofree char *names_path = path_member (path, "name");
  g_autofree char *name_path = NULL;
  g_autoptr(GString) given = g_string_new (NULL);
  JsonArray *names;
  JsonObject *name;
  const char *family;
  guint chosen;

  if (!get_array (f, resource, path, "name", TRUE, &names) || names == NULL)
    return;
  chosen = pick_by_string (names, "use", uses);
  name_path = path_index (names_path, chosen);
  name = element_object (f, names, chosen, names_path);
  if (name == NULL)
    return;

  append_strings (f, name, name_path, "given", " ", given);
  get_string (f, name, name_path, "family", FALSE, &family);

  patient->given_name = g_strdup (given->str);
  patient->family_name = g_strdup (family != NULL ? family : "");
  if (given->len == 0 && (family == NULL || *family == '\0'))
    fhir_error (f, _("%s: the patient has no given or family name"), name_path);
}

static void
patient_telecom (Fhir       *f,
                 JsonObject *resource,
                 const char *path,
                 CpPatient  *patient)
{
  g_autofree char *list_path = path_member (path, "telecom");
  JsonArray *telecom;

  if (!get_array (f, resource, path, "telecom", FALSE, &telecom) || telecom == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (telecom); i++)
    {
      g_autofree char *item_path = path_index (list_path, i);
      JsonObject *item = element_object (f, telecom, i, list_path);
      const char *system, *value;

      if (item == NULL ||
          !get_string (f, item, item_path, "system", FALSE, &system) ||
          !get_string (f, item, item_path, "value", FALSE, &value) ||
          value == NULL || *value == '\0')
        continue;

      if (g_strcmp0 (system, "email") == 0 && patient->email == NULL)
        {
          g_autofree char *why = cp_import_check_email (value);

          if (why != NULL)
            {
              g_autofree char *where = path_member (item_path, "value");

              fhir_error (f, "%s: %s", where, why);
            }
          patient->email = g_strdup (value);
        }
      else if (g_strcmp0 (system, "phone") == 0 && patient->phone == NULL)
        patient->phone = g_strdup (value);
    }
}

static void
patient_address (Fhir       *f,
                 JsonObject *resource,
                 const char *path,
                 CpPatient  *patient)
{
  static const char *const uses[] = { "home", NULL };
  g_autofree char *list_path = path_member (path, "address");
  g_autofree char *item_path = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) place = g_string_new (NULL);
  JsonArray *addresses;
  JsonObject *address;
  const char *city, *state, *postal, *country, *plain;
  guint chosen;

  if (!get_array (f, resource, path, "address", FALSE, &addresses) || addresses == NULL ||
      json_array_get_length (addresses) == 0)
    return;
  chosen = pick_by_string (addresses, "use", uses);
  item_path = path_index (list_path, chosen);
  address = element_object (f, addresses, chosen, list_path);
  if (address == NULL)
    return;

  append_strings (f, address, item_path, "line", "\n", text);
  get_string (f, address, item_path, "city", FALSE, &city);
  get_string (f, address, item_path, "state", FALSE, &state);
  get_string (f, address, item_path, "postalCode", FALSE, &postal);
  get_string (f, address, item_path, "country", FALSE, &country);
  get_string (f, address, item_path, "text", FALSE, &plain);

  if (city != NULL)
    g_string_append (place, city);
  if (state != NULL)
    g_string_append_printf (place, "%s%s", place->len > 0 ? ", " : "", state);
  if (postal != NULL)
    g_string_append_printf (place, "%s%s", place->len > 0 ? " " : "", postal);
  if (place->len > 0)
    g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", place->str);
  if (country != NULL)
    g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", country);
  if (text->len == 0 && plain != NULL)
    g_string_append (text, plain);

  if (text->len > 0)
    patient->address = g_strdup (text->str);
}

static void
patient_language (Fhir       *f,
                  JsonObject *resource,
                  const char *path,
                  CpPatient  *patient)
{
  g_autofree char *list_path = path_member (path, "communication");
  g_autofree char *item_path = NULL;
  g_autofree char *language_path = NULL;
  g_autofree char *where = NULL;
  JsonArray *list, *codings;
  JsonObject *item, *language;
  const char *code = NULL;
  guint chosen = 0;

  if (!get_array (f, resource, path, "communication", FALSE, &list) || list == NULL ||
      json_array_get_length (list) == 0)
    return;

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);

      if (JSON_NODE_HOLDS_OBJECT (node) &&
          peek_true (json_node_get_object (node), "preferred"))
        {
          chosen = i;
          break;
        }
    }

  item_path = path_index (list_path, chosen);
  item = element_object (f, list, chosen, list_path);
  if (item == NULL)
    return;
  {
    gboolean preferred;

    get_bool (f, item, item_path, "preferred", &preferred);
  }
  if (!get_object (f, item, item_path, "language", TRUE, &language))
    return;
  language_path = path_member (item_path, "language");

  if (get_array (f, language, language_path, "coding", FALSE, &codings) && codings != NULL &&
      json_array_get_length (codings) > 0)
    {
      g_autofree char *codings_path = path_member (language_path, "coding");
      JsonObject *coding = element_object (f, codings, 0, codings_path);

      where = path_index (codings_path, 0);
      if (coding != NULL)
        get_string (f, coding, where, "code", FALSE, &code);
      g_free (where);
      where = g_strdup_printf ("%s.coding[0].code", language_path);
    }
  if (code == NULL)
    {
      g_free (where);
      where = path_member (language_path, "text");
      get_string (f, language, language_path, "text", FALSE, &code);
    }
  if (code != NULL)
    {
      g_autofree char *why = NULL;

      g_clear_pointer (&patient->preferred_language, g_free);
      why = cp_import_check_language (code, &patient->preferred_language);
      if (why != NULL)
        {
          patient->preferred_language = g_strdup ("en");
          fhir_error (f, "%s: %s", where, why);
        }
    }
}

static void
parse_patient (Fhir       *f,
               JsonObject *resource,
               const char *path,
               const char *full_url)
{
  g_autoptr(CpPatient) patient = cp_patient_new ();
  guint errors = f->batch->result->n_errors;
  const char *id, *birth;

  if (!get_string (f, resource, path, "id", FALSE, &id))
    return;

  patient->mrn = patient_mrn (f, resource, path);
  patient_name (f, resource, path, patient);

  if (get_string (f, resource, path, "birthDate", FALSE, &birth) && birth != NULL)
    {
      g_autofree char *why = cp_import_check_date (birth, TRUE, f->batch->today);

      if (why != NULL)
        {
          g_autofree char *where = path_member (path, "birthDate");

          fhir_error (f, "%s: %s", where, why);
        }
      patient->date_of_birth = g_strdup (birth);
    }

  patient_telecom (f, resource, path, patient);
  patient_address (f, resource, path, patient);
  patient_language (f, resource, path, patient);

  if (patient->mrn == NULL)
    return;

  {
    const char *first = g_hash_table_lookup (f->mrns, patient->mrn);

    if (first != NULL)
      {
        fhir_error (f, _("%s.identifier: the medical record number “%s” is already used by %s"),
                    path, patient->mrn, first);
        return;
      }
    g_hash_table_insert (f->mrns, g_strdup (patient->mrn), g_strdup (path));
  }

  if (id != NULL)
    g_hash_table_insert (f->patient_refs, g_strconcat ("Patient/", id, NULL), g_strdup (patient->mrn));
  if (full_url != NULL)
    g_hash_table_insert (f->patient_refs, g_strdup (full_url), g_strdup (patient->mrn));

  if (f->batch->result->n_errors == errors)
    g_ptr_array_add (f->batch->patients, g_steal_pointer (&patient));
}

/* Invoice */

/* A decimal rate such as 0.0825 in basis points (825). */
static gboolean
rate_to_bp (const char *decimal,
            int        *out)
{
  const char *dot = strchr (decimal, '.');
  gint64 whole;
  gint64 bp;

  if (*decimal == '-' || (dot != NULL && strlen (dot + 1) > 4))
    return FALSE;
  {
    g_autofree char *int_part = dot != NULL ? g_strndup (decimal, dot - decimal) : g_strdup (decimal);

    if (!g_ascii_string_to_signed (int_part, 10, 0, 1, &whole, NULL))
      return FALSE;
  }
  bp = whole * 10000;
  if (dot != NULL)
    {
      char frac[5] = "0000";

      memcpy (frac, dot + 1, strlen (dot + 1));
      bp += g_ascii_strtoll (frac, NULL, 10);
    }
  if (bp > 10000)
    return FALSE;
  *out = (int) bp;
  return TRUE;
}

typedef struct {
  char *currency;      /* of the first amount */
  int   tax_bp;        /* -1 until a tax component gives it */
  char *tax_path;
} InvoiceState;

static void
check_currency (Fhir         *f,
                InvoiceState *state,
                JsonObject   *money,
                const char   *money_path)
{
  const char *currency;

  if (!get_string (f, money, money_path, "currency", TRUE, &currency))
    return;
  if (!cp_currency_is_known (currency))
    {
      g_autofree char *where = path_member (money_path, "currency");

      fhir_error (f, _("%s: “%s” is not a currency code such as USD"), where, currency);
      return;
    }
  if (state->currency == NULL)
    state->currency = g_strdup (currency);
  else if (!g_str_equal (state->currency, currency))
    {
      g_autofree char *where = path_member (money_path, "currency");

      fhir_error (f, _("%s: “%s” differs from the invoice’s currency %s"), where, currency, state->currency);
    }
}

/* Reads a Money value in the invoice's currency; FALSE after an error. */
static gboolean
read_money (Fhir         *f,
            InvoiceState *state,
            JsonObject   *money,
            const char   *money_path,
            gint64       *out)
{
  g_autofree char *value = NULL;
  g_autoptr(GError) error = NULL;
  guint errors = f->batch->result->n_errors;

  check_currency (f, state, money, money_path);
  if (!get_number (f, money, money_path, "value", TRUE, &value))
    return FALSE;
  if (state->currency == NULL || f->batch->result->n_errors != errors)
    return FALSE;
  if (!cp_money_parse_decimal (value, state->currency, CP_MONEY_PARSE_ALLOW_ZERO, out, &error))
    {
      g_autofree char *where = path_member (money_path, "value");

      fhir_error (f, "%s: %s", where, error->message);
      return FALSE;
    }
  if (*out > G_GINT64_CONSTANT (1000000000000))
    {
      g_autofree char *where = path_member (money_path, "value");

      fhir_error (f, _("%s: “%s” is too large"), where, value);
      return FALSE;
    }
  return TRUE;
}

static void
take_tax (Fhir         *f,
          InvoiceState *state,
          JsonObject   *component,
          const char   *component_path)
{
  g_autofree char *factor = NULL;
  g_autofree char *where = path_member (component_path, "factor");
  int bp;

  if (!get_number (f, component, component_path, "factor", FALSE, &factor))
    return;
  if (factor == NULL)
    {
      fhir_error (f, _("%s: a tax component needs factor, the rate (0.0825 for 8.25 %%)"), where);
      return;
    }
  if (!rate_to_bp (factor, &bp))
    {
      fhir_error (f, _("%s: “%s” is not a tax rate from 0 to 1 with at most 4 decimals"), where, factor);
      return;
    }
  if (state->tax_bp < 0)
    {
      state->tax_bp = bp;
      state->tax_path = g_strdup (where);
    }
  else if (state->tax_bp != bp)
    fhir_error (f, _("%s: the tax rate %s differs from the one at %s; one rate per invoice"),
                where, factor, state->tax_path);
}

static CpLineItem *
parse_line_item (Fhir         *f,
                 InvoiceState *state,
                 JsonObject   *item,
                 const char   *path)
{
  g_autoptr(CpLineItem) line = cp_line_item_new ();
  g_autofree char *concept_path = path_member (path, "chargeItemCodeableConcept");
  g_autofree char *components_path = path_member (path, "priceComponent");
  guint errors = f->batch->result->n_errors;
  JsonObject *concept;
  JsonArray *components, *codings;
  const char *text = NULL;
  guint n_base = 0;

  if (json_object_has_member (item, "chargeItemReference"))
    {
      g_autofree char *where = path_member (path, "chargeItemReference");

      fhir_error (f, _("%s: ChargeItem references are not supported; describe the charge in "
                       "chargeItemCodeableConcept"), where);
      return NULL;
    }

  if (get_object (f, item, path, "chargeItemCodeableConcept", TRUE, &concept))
    {
      get_string (f, concept, concept_path, "text", FALSE, &text);
      if (get_array (f, concept, concept_path, "coding", FALSE, &codings) && codings != NULL &&
          json_array_get_length (codings) > 0)
        {
          g_autofree char *codings_path = path_member (concept_path, "coding");
          g_autofree char *coding_path = path_index (codings_path, 0);
          JsonObject *coding = element_object (f, codings, 0, codings_path);
          const char *display = NULL, *code = NULL;

          if (coding != NULL)
            {
              get_string (f, coding, coding_path, "display", FALSE, &display);
              get_string (f, coding, coding_path, "code", FALSE, &code);
            }
          if (text == NULL || *text == '\0')
            text = display;
          line->service_code = g_strdup (code);
        }
      if (text == NULL || *text == '\0')
        fhir_error (f, _("%s: needs text or coding[0].display to describe the charge"), concept_path);
      line->description = g_strdup (text);
    }

  if (get_array (f, item, path, "priceComponent", TRUE, &components) && components != NULL)
    {
      for (guint i = 0; i < json_array_get_length (components); i++)
        {
          g_autofree char *component_path = path_index (components_path, i);
          JsonObject *component = element_object (f, components, i, components_path);
          const char *type;

          if (component == NULL || !get_string (f, component, component_path, "type", TRUE, &type))
            continue;

          if (g_str_equal (type, "base"))
            {
              g_autofree char *amount_path = path_member (component_path, "amount");
              g_autofree char *factor = NULL;
              JsonObject *amount;

              n_base++;
              if (get_object (f, component, component_path, "amount", TRUE, &amount))
                read_money (f, state, amount, amount_path, &line->unit_amount);
              if (get_number (f, component, component_path, "factor", FALSE, &factor))
                {
                  guint64 quantity = 1;

                  if (factor != NULL &&
                      (!g_ascii_string_to_unsigned (factor, 10, 1, 1000000, &quantity, NULL)))
                    {
                      g_autofree char *where = path_member (component_path, "factor");

                      fhir_error (f, _("%s: “%s” is not a whole quantity from 1 to 1000000"), where, factor);
                    }
                  line->quantity = (gint64) quantity;
                }
            }
          else if (g_str_equal (type, "tax"))
            take_tax (f, state, component, component_path);
          else if (!g_str_equal (type, "informational"))
            {
              g_autofree char *where = path_member (component_path, "type");

              fhir_error (f, _("%s: price components of type “%s” are not supported "
                               "(base, tax and informational are)"), where, type);
            }
        }
      if (n_base != 1)
        fhir_error (f, _("%s: needs exactly one component of type “base”, found %u"), components_path, n_base);
    }

  if (f->batch->result->n_errors != errors)
    return NULL;
  return g_steal_pointer (&line);
}

static const char *
resolve_subject (Fhir       *f,
                 JsonObject *resource,
                 const char *path)
{
  g_autofree char *subject_path = path_member (path, "subject");
  JsonObject *subject, *identifier;
  const char *reference = NULL, *mrn = NULL;

  if (!get_object (f, resource, path, "subject", TRUE, &subject) || subject == NULL)
    return NULL;
  if (!get_string (f, subject, subject_path, "reference", FALSE, &reference) ||
      !get_object (f, subject, subject_path, "identifier", FALSE, &identifier))
    return NULL;

  if (reference != NULL)
    {
      const char *found = g_hash_table_lookup (f->patient_refs, reference);
      const char *tail = g_strrstr (reference, "Patient/");

      if (found == NULL && tail != NULL)
        found = g_hash_table_lookup (f->patient_refs, tail);
      if (found != NULL)
        return found;
    }

  if (identifier != NULL)
    {
      g_autofree char *identifier_path = path_member (subject_path, "identifier");

      if (!get_string (f, identifier, identifier_path, "value", TRUE, &mrn))
        return NULL;
      return mrn;
    }

  if (reference != NULL)
    {
      g_autofree char *where = path_member (subject_path, "reference");

      fhir_error (f, _("%s: “%s” is not a Patient in this file (include the Patient, or give "
                       "subject.identifier with the medical record number)"), where, reference);
    }
  else
    fhir_error (f, _("%s: needs reference or identifier"), subject_path);
  return NULL;
}

static void
compare_total (Fhir         *f,
               InvoiceState *state,
               JsonObject   *resource,
               const char   *path,
               const char   *name,
               gint64        computed,
               const char   *what)
{
  g_autofree char *money_path = path_member (path, name);
  JsonObject *money;
  gint64 given;

  if (!get_object (f, resource, path, name, FALSE, &money) || money == NULL)
    return;
  if (!read_money (f, state, money, money_path, &given))
    return;
  if (given != computed)
    {
      g_autofree char *given_text = cp_money_format_plain (given, state->currency);
      g_autofree char *computed_text = cp_money_format_plain (computed, state->currency);
      g_autofree char *where = path_member (money_path, "value");

      fhir_error (f, _("%s: %s does not match %s, %s"), where, given_text, what, computed_text);
    }
}

static char *
invoice_due_date (Fhir       *f,
                  JsonObject *resource,
                  const char *path)
{
  g_autofree char *list_path = path_member (path, "extension");
  JsonArray *extensions;

  if (!get_array (f, resource, path, "extension", FALSE, &extensions) || extensions == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (extensions); i++)
    {
      g_autofree char *item_path = path_index (list_path, i);
      JsonObject *extension = element_object (f, extensions, i, list_path);
      const char *url, *value = NULL;

      if (extension == NULL || !get_string (f, extension, item_path, "url", TRUE, &url) ||
          !(g_str_equal (url, DUE_DATE_EXTENSION) || g_str_has_suffix (url, "/invoice-due-date") ||
            g_str_has_suffix (url, "/due-date")))
        continue;
      if (!get_string (f, extension, item_path, "valueDate", FALSE, &value))
        return NULL;
      if (value == NULL)
        {
          fhir_error (f, _("%s: a due date extension needs valueDate"), item_path);
          return NULL;
        }
      {
        g_autofree char *why = cp_import_check_date (value, FALSE, NULL);

        if (why != NULL)
          {
            g_autofree char *where = path_member (item_path, "valueDate");

            fhir_error (f, "%s: %s", where, why);
            return NULL;
          }
      }
      return g_strdup (value);
    }
  return NULL;
}

static void
parse_invoice (Fhir       *f,
               JsonObject *resource,
               const char *path)
{
  g_autoptr(CpInvoice) invoice = cp_invoice_new ();
  g_autofree char *ids_path = path_member (path, "identifier");
  g_autofree char *items_path = path_member (path, "lineItem");
  g_autofree char *provider = NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  InvoiceState state = { NULL, -1, NULL };
  guint errors = f->batch->result->n_errors;
  JsonArray *ids, *items, *participants, *note_list, *total_components;
  const char *status, *date, *mrn;

  if (get_array (f, resource, path, "identifier", TRUE, &ids) && ids != NULL)
    {
      g_autofree char *id_path = path_index (ids_path, 0);
      JsonObject *id = element_object (f, ids, 0, ids_path);
      const char *value;

      if (id != NULL && get_string (f, id, id_path, "value", TRUE, &value))
        {
          const char *first = g_hash_table_lookup (f->numbers, value);

          if (*value == '\0')
            fhir_error (f, _("%s.value: the invoice number is empty"), id_path);
          else if (first != NULL)
            fhir_error (f, _("%s.value: invoice number “%s” is already used by %s"), id_path, value, first);
          else
            g_hash_table_insert (f->numbers, g_strdup (value), g_strdup (path));
          invoice->number = g_strdup (value);
        }
    }

  if (get_string (f, resource, path, "status", FALSE, &status) && status != NULL)
    {
      if (g_str_equal (status, "cancelled") || g_str_equal (status, "entered-in-error"))
        invoice->voided = TRUE;
      else if (!g_str_equal (status, "draft") && !g_str_equal (status, "issued") &&
               !g_str_equal (status, "balanced"))
        {
          g_autofree char *where = path_member (path, "status");

          fhir_error (f, _("%s: “%s” is not an invoice status (draft, issued, balanced, cancelled, "
                           "entered-in-error)"), where, status);
        }
    }

  mrn = resolve_subject (f, resource, path);

  if (get_string (f, resource, path, "date", TRUE, &date) && date != NULL)
    {
      g_autofree char *day = g_strndup (date, 10);
      g_autofree char *why = cp_import_check_date (day, FALSE, NULL);

      if (why != NULL || (strlen (date) > 10 && date[10] != 'T'))
        {
          g_autofree char *where = path_member (path, "date");

          fhir_error (f, _("%s: “%s” is not a date or dateTime (YYYY-MM-DD…)"), where, date);
        }
      else
        invoice->issue_date = g_steal_pointer (&day);
    }

  invoice->due_date = invoice_due_date (f, resource, path);
  if (invoice->due_date != NULL && invoice->issue_date != NULL &&
      strcmp (invoice->due_date, invoice->issue_date) < 0)
    fhir_error (f, _("%s.extension: the due date %s is before the issue date %s"),
                path, invoice->due_date, invoice->issue_date);
  if (invoice->due_date == NULL && invoice->issue_date != NULL)
    {
      invoice->due_date = cp_import_add_days (invoice->issue_date, CP_IMPORT_DEFAULT_TERMS_DAYS);
      if (invoice->due_date == NULL)
        fhir_error (f, _("%s.date: the default due date (issue date + %d days) is past 9999-12-31; "
                         "give one in the due date extension"), path, CP_IMPORT_DEFAULT_TERMS_DAYS);
    }

  if (get_array (f, resource, path, "participant", FALSE, &participants) && participants != NULL &&
      json_array_get_length (participants) > 0)
    {
      g_autofree char *list_path = path_member (path, "participant");
      g_autofree char *item_path = path_index (list_path, 0);
      g_autofree char *actor_path = path_member (item_path, "actor");
      JsonObject *participant = element_object (f, participants, 0, list_path);
      JsonObject *actor;
      const char *display;

      if (participant != NULL && get_object (f, participant, item_path, "actor", TRUE, &actor) &&
          get_string (f, actor, actor_path, "display", FALSE, &display))
        provider = g_strdup (display);
    }

  if (get_array (f, resource, path, "note", FALSE, &note_list) && note_list != NULL)
    {
      g_autofree char *list_path = path_member (path, "note");

      for (guint i = 0; i < json_array_get_length (note_list); i++)
        {
          g_autofree char *item_path = path_index (list_path, i);
          JsonObject *note = element_object (f, note_list, i, list_path);
          const char *text;

          if (note != NULL && get_string (f, note, item_path, "text", TRUE, &text))
            g_string_append_printf (notes, "%s%s", notes->len > 0 ? "\n" : "", text);
        }
    }
  invoice->notes = notes->len > 0 ? g_strdup (notes->str) : NULL;

  if (get_array (f, resource, path, "lineItem", TRUE, &items) && items != NULL)
    {
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          g_autofree char *item_path = path_index (items_path, i);
          JsonObject *item = element_object (f, items, i, items_path);
          CpLineItem *line;

          if (item == NULL)
            continue;
          line = parse_line_item (f, &state, item, item_path);
          if (line != NULL)
            {
              line->provider = g_strdup (provider);
              g_ptr_array_add (invoice->line_items, line);
            }
        }
    }

  if (get_array (f, resource, path, "totalPriceComponent", FALSE, &total_components) &&
      total_components != NULL)
    {
      g_autofree char *list_path = path_member (path, "totalPriceComponent");

      for (guint i = 0; i < json_array_get_length (total_components); i++)
        {
          g_autofree char *item_path = path_index (list_path, i);
          JsonObject *component = element_object (f, total_components, i, list_path);
          const char *type;

          if (component != NULL && get_string (f, component, item_path, "type", TRUE, &type) &&
              g_str_equal (type, "tax"))
            take_tax (f, &state, component, item_path);
        }
    }

  g_free (invoice->currency);
  invoice->currency = g_strdup (state.currency);
  invoice->tax_rate_bp = MAX (state.tax_bp, 0);

  if (f->batch->result->n_errors == errors)
    {
      g_autoptr(GError) error = NULL;

      if (!cp_invoice_compute (invoice, f->batch->today, &error))
        fhir_error (f, "%s: %s", path, error->message);
      else
        {
          compare_total (f, &state, resource, path, "totalNet", invoice->subtotal,
                         _("the line items’ subtotal"));
          compare_total (f, &state, resource, path, "totalGross", invoice->total,
                         _("the line items’ total with tax"));
        }
    }

  if (f->batch->result->n_errors == errors && mrn != NULL)
    {
      g_autofree char *where = g_strdup_printf (_("%s (invoice %s)"), path, invoice->number);
      g_autofree char *mrn_where = path_member (path, "subject");

      invoice->patient = cp_patient_new ();
      invoice->patient->mrn = g_strdup (mrn);
      cp_import_invoice_add (f->batch, g_steal_pointer (&invoice), where, mrn_where);
    }

  g_free (state.currency);
  g_free (state.tax_path);
}

/* The file */

typedef struct {
  char       *path;
  char       *full_url;
  JsonObject *resource;
  const char *type;
} Entry;

static void
entry_clear (Entry *entry)
{
  g_free (entry->path);
  g_free (entry->full_url);
}

/* Parses one JSON text (a whole file, or a line of NDJSON) into an object;
 * the parser is kept in `parsers`, which owns the object. */
static JsonObject *
load_object (CpImportBatch *batch,
             const char    *prefix,
             const char    *data,
             gsize          length,
             const char    *nonce,
             GPtrArray     *parsers)
{
  g_autoptr(JsonParser) check = json_parser_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *marked = NULL;
  JsonNode *root;

  /* Syntax errors against the text as written, so positions are right */
  if (length == 0 || !json_parser_load_from_data (check, data, (gssize) length, &error) ||
      json_parser_get_root (check) == NULL)
    {
      if (error != NULL)
        cp_import_error (batch, _("%snot valid JSON (is the file truncated?): %s"), prefix, error->message);
      else
        cp_import_error (batch, _("%sthe file is empty"), prefix);
      return NULL;
    }

  marked = mark_numbers (data, length, nonce);
  if (!json_parser_load_from_data (parser, marked, -1, &error))
    {
      cp_import_error (batch, _("%snot valid JSON: %s"), prefix, error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      cp_import_error (batch, _("%sexpected a FHIR resource: a JSON object with resourceType"), prefix);
      return NULL;
    }
  g_ptr_array_add (parsers, g_object_ref (parser));
  return json_node_get_object (root);
}

/* Adds the resources of a top-level object: a Bundle's entries or the
 * resource itself. Other resource types are an error in a file of their
 * own, and skipped on a line of NDJSON (bulk exports hold every type). */
static void
collect (Fhir       *f,
         JsonObject *object,
         const char *prefix,
         gboolean    skip_other,
         GArray     *entries)
{
  g_autofree char *type_path = g_strconcat (prefix, "resourceType", NULL);
  const char *type;

  if (!get_string (f, object, prefix, "resourceType", TRUE, &type))
    return;

  if (g_str_equal (type, "Bundle"))
    {
      g_autofree char *list_path = g_strconcat (prefix, "entry", NULL);
      JsonArray *list;

      if (get_array (f, object, prefix, "entry", FALSE, &list) && list != NULL)
        for (guint i = 0; i < json_array_get_length (list); i++)
          {
            g_autofree char *entry_path = path_index (list_path, i);
            JsonObject *item = element_object (f, list, i, list_path);
            Entry entry = { NULL, };
            const char *full_url = NULL;

            if (item == NULL || !get_string (f, item, entry_path, "fullUrl", FALSE, &full_url) ||
                !get_object (f, item, entry_path, "resource", TRUE, &entry.resource))
              continue;
            entry.path = path_member (entry_path, "resource");
            entry.full_url = g_strdup (full_url);
            if (!get_string (f, entry.resource, entry.path, "resourceType", TRUE, &entry.type))
              {
                entry_clear (&entry);
                continue;
              }
            g_array_append_val (entries, entry);
          }
    }
  else if (g_str_equal (type, "Patient") || g_str_equal (type, "Invoice") || skip_other)
    {
      Entry entry = { g_strconcat (prefix, type, NULL), NULL, object, type };

      g_array_append_val (entries, entry);
    }
  else
    fhir_error (f, _("%s: “%s” is not supported (Bundle, Patient or Invoice are)"), type_path, type);
}

void
cp_import_parse_fhir (CpImportBatch *batch,
                      const char    *data,
                      gsize          length)
{
  g_autoptr(GPtrArray) parsers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *nonce = g_uuid_string_random ();
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  Fhir f = { batch, NULL, NULL, NULL, NULL };
  gboolean ndjson = g_str_has_suffix (batch->name, ".ndjson") || g_str_has_suffix (batch->name, ".NDJSON");

  g_array_set_clear_func (entries, (GDestroyNotify) entry_clear);
  f.marker = g_strconcat ("\x01", nonce, ":", NULL);
  f.patient_refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  f.mrns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  f.numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!ndjson)
    {
      JsonObject *object = load_object (batch, "", data, length, nonce, parsers);

      if (object != NULL)
        collect (&f, object, "", FALSE, entries);
    }
  else
    {
      const char *p = data;
      const char *end = data + length;
      guint line = 0;
      gboolean any = FALSE;

      /* One resource per line (FHIR Bulk Data) */
      while (p < end && !cp_import_error_limit (batch))
        {
          const char *eol = memchr (p, '\n', end - p);
          const char *next = eol != NULL ? eol + 1 : end;
          const char *q = p;

          line++;
          if (eol == NULL)
            eol = end;
          while (q < eol && g_ascii_isspace (*q))
            q++;
          if (q < eol)
            {
              g_autofree char *prefix = g_strdup_printf (_("line %u: "), line);
              JsonObject *object = load_object (batch, prefix, p, eol - p, nonce, parsers);

              any = TRUE;
              if (object != NULL)
                collect (&f, object, prefix, TRUE, entries);
            }
          p = next;
        }
      if (!any)
        cp_import_error (batch, _("the file is empty"));
    }

  /* Patients first, so invoices can refer to any Patient in the file */
  for (guint i = 0; i < entries->len && !cp_import_error_limit (batch); i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);

      if (g_str_equal (entry->type, "Patient"))
        parse_patient (&f, entry->resource, entry->path, entry->full_url);
      else if (!g_str_equal (entry->type, "Invoice"))
        batch->result->skipped++;
    }
  for (guint i = 0; i < entries->len && !cp_import_error_limit (batch); i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);

      if (g_str_equal (entry->type, "Invoice"))
        parse_invoice (&f, entry->resource, entry->path);
    }

  g_free (f.marker);
  g_hash_table_unref (f.patient_refs);
  g_hash_table_unref (f.mrns);
  g_hash_table_unref (f.numbers);
}
