/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <errno.h>
#include <glib/gi18n.h>

#include "cp-line-item-editor.h"
#include "cp-money.h"

struct _CpLineItemEditor
{
  AdwBin     parent_instance;

  GtkEntry  *description_entry;
  GtkLabel  *description_error;
  GtkEntry  *code_entry;
  GtkEntry  *quantity_entry;
  GtkLabel  *quantity_error;
  GtkEntry  *price_entry;
  GtkLabel  *price_error;
  GtkEntry  *date_entry;
  GtkLabel  *date_error;
  GtkEntry  *provider_entry;
  GtkWidget *remove_button;
};

G_DEFINE_FINAL_TYPE (CpLineItemEditor, cp_line_item_editor, ADW_TYPE_BIN)

enum {
  CHANGED,
  REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_field_error (GtkEntry   *entry,
                 GtkLabel   *label,
                 const char *message)
{
  gtk_label_set_text (label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
  if (message != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

static char *
entry_text (GtkEntry *entry)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
}

static gboolean
parse_quantity (const char *text,
                gint64     *out)
{
  char *end = NULL;
  gint64 value;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(p == text && *p == '-'))
      return FALSE;
  errno = 0;
  value = g_ascii_strtoll (text, &end, 10);
  if (errno != 0 || end == NULL || *end != '\0')
    return FALSE;
  *out = value;
  return TRUE;
}

gboolean
cp_line_item_editor_peek_amount (CpLineItemEditor *self,
                                 const char       *currency,
                                 gint64           *out_amount)
{
  g_autofree char *qty_text = entry_text (self->quantity_entry);
  g_autofree char *price_text = entry_text (self->price_entry);
  gint64 qty, unit;

  g_return_val_if_fail (CP_IS_LINE_ITEM_EDITOR (self), FALSE);

  if (!parse_quantity (qty_text, &qty) || qty < 1)
    return FALSE;
  if (!cp_money_parse (price_text, currency, CP_MONEY_PARSE_ALLOW_ZERO, &unit, NULL))
    return FALSE;
  return cp_money_mul (qty, unit, out_amount, NULL);
}

CpLineItem *
cp_line_item_editor_validate (CpLineItemEditor *self,
                              const char       *currency)
{
  g_autofree char *description = entry_text (self->description_entry);
  g_autofree char *code = entry_text (self->code_entry);
  g_autofree char *qty_text = entry_text (self->quantity_entry);
  g_autofree char *price_text = entry_text (self->price_entry);
  g_autofree char *date = entry_text (self->date_entry);
  g_autofree char *provider = entry_text (self->provider_entry);
  g_autoptr(GError) price_error = NULL;
  g_autoptr(CpLineItem) item = NULL;
  gint64 qty = 0, unit = 0, amount = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (CP_IS_LINE_ITEM_EDITOR (self), NULL);

  if (*description == '\0')
    {
      set_field_error (self->description_entry, self->description_error,
                       _("Describe the service, e.g. “Chest X-ray, two views”."));
      ok = FALSE;
    }
  else
    set_field_error (self->description_entry, self->description_error, NULL);

  if (!parse_quantity (qty_text, &qty))
    {
      set_field_error (self->quantity_entry, self->quantity_error, _("Enter a whole number."));
      ok = FALSE;
    }
  else if (qty < 1)
    {
      set_field_error (self->quantity_entry, self->quantity_error, _("The quantity must be at least 1."));
      ok = FALSE;
    }
  else
    set_field_error (self->quantity_entry, self->quantity_error, NULL);

  if (*price_text == '\0')
    {
      set_field_error (self->price_entry, self->price_error, _("Enter the unit price."));
      ok = FALSE;
    }
  else if (cp_money_parse (price_text, currency, CP_MONEY_PARSE_ALLOW_NEGATIVE | CP_MONEY_PARSE_ALLOW_ZERO,
                           &unit, NULL) && unit < 0)
    {
      set_field_error (self->price_entry, self->price_error, _("The price cannot be negative."));
      ok = FALSE;
    }
  else if (!cp_money_parse (price_text, currency, CP_MONEY_PARSE_ALLOW_ZERO, &unit, &price_error))
    {
      g_autofree char *message = g_strdup_printf (_("Not a price: %s"), price_error->message);

      set_field_error (self->price_entry, self->price_error, message);
      ok = FALSE;
    }
  else
    set_field_error (self->price_entry, self->price_error, NULL);

  if (*date != '\0' && !cp_date_is_valid (date))
    {
      set_field_error (self->date_entry, self->date_error, _("Use a date such as 2026-11-22."));
      ok = FALSE;
    }
  else
    set_field_error (self->date_entry, self->date_error, NULL);

  if (ok && !cp_money_mul (qty, unit, &amount, NULL))
    {
      set_field_error (self->price_entry, self->price_error, _("The line total is too large."));
      ok = FALSE;
    }

  if (!ok)
    return NULL;

  item = cp_line_item_new ();
  item->description = g_steal_pointer (&description);
  item->service_code = *code != '\0' ? g_steal_pointer (&code) : NULL;
  item->quantity = qty;
  item->unit_amount = unit;
  item->amount = amount;
  item->service_date = *date != '\0' ? g_steal_pointer (&date) : NULL;
  item->provider = *provider != '\0' ? g_steal_pointer (&provider) : NULL;
  return g_steal_pointer (&item);
}

static void
changed_cb (CpLineItemEditor *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
remove_cb (CpLineItemEditor *self)
{
  g_signal_emit (self, signals[REMOVE], 0);
}

static void
cp_line_item_editor_dispose (GObject *object)
{

  G_OBJECT_CLASS (cp_line_item_editor_parent_class)->dispose (object);
}

static void
cp_line_item_editor_class_init (CpLineItemEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_line_item_editor_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[REMOVE] = g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/cp-line-item-editor.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CpLineItemEditor, name)
  BIND (description_entry);
  BIND (description_error);
  BIND (code_entry);
  BIND (quantity_entry);
  BIND (quantity_error);
  BIND (price_entry);
  BIND (price_error);
  BIND (date_entry);
  BIND (date_error);
  BIND (provider_entry);
  BIND (remove_button);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_cb);
}

static void
cp_line_item_editor_init (CpLineItemEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cp_line_item_editor_new (const char *service_date)
{
  CpLineItemEditor *self = g_object_new (CP_TYPE_LINE_ITEM_EDITOR, NULL);

  if (service_date != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->date_entry), service_date);
  return GTK_WIDGET (self);
}

void
cp_line_item_editor_set_fields (CpLineItemEditor *self,
                                const char       *description,
                                const char       *service_code,
                                const char       *quantity,
                                const char       *unit_price,
                                const char       *service_date,
                                const char       *provider)
{
  g_return_if_fail (CP_IS_LINE_ITEM_EDITOR (self));

#define SET(entry, text) if (text != NULL) gtk_editable_set_text (GTK_EDITABLE (self->entry), text)
  SET (description_entry, description);
  SET (code_entry, service_code);
  SET (quantity_entry, quantity);
  SET (price_entry, unit_price);
  SET (date_entry, service_date);
  SET (provider_entry, provider);
#undef SET
}

const char *
cp_line_item_editor_get_error (CpLineItemEditor *self,
                               const char       *field)
{
  GtkLabel *label = NULL;

  g_return_val_if_fail (CP_IS_LINE_ITEM_EDITOR (self), NULL);

  if (g_str_equal (field, "description"))
    label = self->description_error;
  else if (g_str_equal (field, "quantity"))
    label = self->quantity_error;
  else if (g_str_equal (field, "price"))
    label = self->price_error;
  else if (g_str_equal (field, "date"))
    label = self->date_error;
  g_return_val_if_fail (label != NULL, NULL);

  return gtk_widget_get_visible (GTK_WIDGET (label)) ? gtk_label_get_text (label) : NULL;
}

void
cp_line_item_editor_set_removable (CpLineItemEditor *self,
                                   gboolean          removable)
{
  g_return_if_fail (CP_IS_LINE_ITEM_EDITOR (self));

  gtk_widget_set_sensitive (self->remove_button, removable);
}

void
cp_line_item_editor_focus (CpLineItemEditor *self)
{
  g_return_if_fail (CP_IS_LINE_ITEM_EDITOR (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->description_entry));
}
