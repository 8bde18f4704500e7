/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "cp-invoice-model.h"
#include "cp-invoice-row.h"

/* Items are slots: the item at a position stays the same object when the
 * view changes, and only what it shows changes (CpInvoiceRow::changed).
 * GTK 4.8's list views keep up to 200 rows of widgets around the top of the
 * view and, for a range of replaced items, destroy their widgets and build
 * new ones (and, when the top row is among them, make each added item while
 * looking for it): 200–600 ms per keystroke at 100,000 rows. With slots the one
 * ::items-changed of a change is at the end of the list, which only grows or
 * shrinks, and the rows on screen are refilled in place. */

/* The last items asked for are kept even when nobody holds them. */
#define N_KEPT 64

typedef struct {
  CpInvoiceModel *model;
  CpInvoiceRow   *item;      /* weak */
  guint           position;
  guint32         row;       /* in index */
  CpInvoiceIndex *index;     /* not a reference: compared to the model's only */
} Slot;

struct _CpInvoiceModel
{
  GObject           parent_instance;

  CpInvoiceIndex   *index;
  guint32          *view;    /* row numbers shown, in order */
  guint             n_view;
  GHashTable       *slots;   /* position + 1 -> Slot, for every item alive */
  CpInvoiceRow     *kept[N_KEPT];
  guint             next_kept;

  /* what the view was made from */
  int               status;
  char             *needle;
  CpInvoiceSortKey  sort;
  gboolean          descending;
};

static void cp_invoice_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpInvoiceModel, cp_invoice_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cp_invoice_model_list_model_init))

static void
slot_item_gone (gpointer  data,
                GObject  *where_the_object_was)
{
  Slot *slot = data;

  g_hash_table_remove (slot->model->slots, GUINT_TO_POINTER (slot->position + 1));
}

static void
slot_free (gpointer data)
{
  g_free (data);
}

/* Makes the slot show row view[position] of the current index, if it does
 * not already. */
static void
slot_update (CpInvoiceModel *self,
             Slot           *slot)
{
  guint32 row;

  if (slot->position >= self->n_view)
    return;  /* going away with the ::items-changed that follows */
  row = self->view[slot->position];
  if (slot->index == self->index && slot->row == row)
    return;
  if (slot->index != self->index && slot->index != NULL)
    {
      /* After a reload most rows are the same invoice with the same figures. */
      CpInvoiceIndex *old_index = slot->index;

      slot->index = self->index;
      if (cp_invoice_index_rows_equal (old_index, slot->row, self->index, row))
        {
          slot->row = row;
          return;
        }
    }
  slot->index = self->index;
  slot->row = row;
  cp_invoice_row_set_summary (slot->item, cp_invoice_index_dup_summary (self->index, row));
}

static GType
cp_invoice_model_get_item_type (GListModel *model)
{
  return CP_TYPE_INVOICE_ROW;
}

static guint
cp_invoice_model_get_n_items (GListModel *model)
{
  return CP_INVOICE_MODEL (model)->n_view;
}

static gpointer
cp_invoice_model_get_item (GListModel *model,
                           guint       position)
{
  CpInvoiceModel *self = CP_INVOICE_MODEL (model);
  Slot *slot;
  CpInvoiceRow *item;
  CpInvoiceRow **kept;

  if (position >= self->n_view)
    return NULL;

  slot = g_hash_table_lookup (self->slots, GUINT_TO_POINTER (position + 1));
  if (slot != NULL)
    {
      slot_update (self, slot);
      item = g_object_ref (slot->item);
    }
  else
    {
      slot = g_new0 (Slot, 1);
      slot->model = self;
      slot->position = position;
      slot->row = self->view[position];
      slot->index = self->index;
      /* The new reference is the caller's; the slot only watches it. */
      item = slot->item = cp_invoice_row_new (cp_invoice_index_dup_summary (self->index, slot->row));
      g_object_weak_ref (G_OBJECT (slot->item), slot_item_gone, slot);
      g_hash_table_insert (self->slots, GUINT_TO_POINTER (position + 1), slot);
    }

  kept = &self->kept[self->next_kept];
  self->next_kept = (self->next_kept + 1) % N_KEPT;
  if (*kept != item)
    {
      /* Letting one go may finalize it (and edit the table). */
      CpInvoiceRow *old = g_steal_pointer (kept);

      *kept = g_object_ref (item);
      g_clear_object (&old);
    }
  return item;
}

static void
cp_invoice_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cp_invoice_model_get_item_type;
  iface->get_n_items = cp_invoice_model_get_n_items;
  iface->get_item = cp_invoice_model_get_item;
}

/* Shows `view` (n rows of the current index): refills the slots alive in
 * place, then one ::items-changed for the rows added or removed at the end. */
static void
show_view (CpInvoiceModel *self,
           guint32        *view,
           guint           n)
{
  guint n_old = self->n_view;
  guint n_common = MIN (n_old, n);
  g_autoptr(GPtrArray) alive = NULL;
  g_autoptr(GPtrArray) items = NULL;
  GHashTableIter iter;
  gpointer value;

  g_free (self->view);
  self->view = view;
  self->n_view = n;

  /* A slot goes with its item, which a handler could drop while another is
   * refilled: hold every item first. */
  alive = g_ptr_array_sized_new (g_hash_table_size (self->slots));
  items = g_ptr_array_new_full (g_hash_table_size (self->slots), g_object_unref);
  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (alive, value);
      g_ptr_array_add (items, g_object_ref (((Slot *) value)->item));
    }
  for (guint i = 0; i < alive->len; i++)
    slot_update (self, g_ptr_array_index (alive, i));

  if (n_old != n)
    g_list_model_items_changed (G_LIST_MODEL (self), n_common, n_old - n_common, n - n_common);
}

static void
make_view (CpInvoiceModel *self,
           const guint32  *from,
           guint           n_from)
{
  guint n_rows = 0;
  guint32 *view = NULL;
  guint n = 0;

  if (self->index != NULL && from != NULL)
    {
      view = g_new (guint32, MAX (n_from, 1));
      n = cp_invoice_index_filter (self->index, from, n_from, FALSE, self->status,
                                   self->needle, view);
    }
  else if (self->index != NULL)
    {
      n_rows = cp_invoice_index_get_n_rows (self->index);
      view = g_new (guint32, MAX (n_rows, 1));
      n = cp_invoice_index_filter (self->index, cp_invoice_index_get_order (self->index, self->sort),
                                   n_rows, self->descending, self->status, self->needle, view);
    }
  if (view != NULL && (from != NULL || n < n_rows / 2))
    view = g_renew (guint32, view, MAX (n, 1));
  show_view (self, view, n);
}

static void
cp_invoice_model_dispose (GObject *object)
{
  CpInvoiceModel *self = CP_INVOICE_MODEL (object);
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < N_KEPT; i++)
    g_clear_object (&self->kept[i]);
  /* Items others still hold outlive the model: they keep what they show. */
  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Slot *slot = value;

      g_object_weak_unref (G_OBJECT (slot->item), slot_item_gone, slot);
      g_hash_table_iter_remove (&iter);
    }

  G_OBJECT_CLASS (cp_invoice_model_parent_class)->dispose (object);
}

static void
cp_invoice_model_finalize (GObject *object)
{
  CpInvoiceModel *self = CP_INVOICE_MODEL (object);

  g_hash_table_unref (self->slots);
  g_clear_pointer (&self->index, cp_invoice_index_unref);
  g_free (self->view);
  g_free (self->needle);

  G_OBJECT_CLASS (cp_invoice_model_parent_class)->finalize (object);
}

static void
cp_invoice_model_class_init (CpInvoiceModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_invoice_model_dispose;
  object_class->finalize = cp_invoice_model_finalize;
}

static void
cp_invoice_model_init (CpInvoiceModel *self)
{
  self->status = -1;
  self->sort = CP_INVOICE_SORT_NONE;
  self->slots = g_hash_table_new_full (NULL, NULL, NULL, slot_free);
}

CpInvoiceModel *
cp_invoice_model_new (void)
{
  return g_object_new (CP_TYPE_INVOICE_MODEL, NULL);
}

void
cp_invoice_model_set_index (CpInvoiceModel *self,
                            CpInvoiceIndex *index)
{
  g_autoptr(CpInvoiceIndex) old_index = NULL;

  g_return_if_fail (CP_IS_INVOICE_MODEL (self));

  if (self->index == index)
    return;

  /* The slots compare their rows with the old index: keep it until then. */
  old_index = g_steal_pointer (&self->index);
  if (index != NULL)
    self->index = cp_invoice_index_ref (index);
  make_view (self, NULL, 0);
  /* Slots past the end still name the old index; forget it. */
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, self->slots);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      if (((Slot *) value)->index == old_index)
        ((Slot *) value)->index = NULL;
  }
}

CpInvoiceIndex *
cp_invoice_model_get_index (CpInvoiceModel *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_MODEL (self), NULL);

  return self->index;
}

void
cp_invoice_model_set_view (CpInvoiceModel   *self,
                           int               status,
                           const char       *folded_needle,
                           CpInvoiceSortKey  sort,
                           gboolean          descending)
{
  const char *old_needle;
  gboolean narrows;

  g_return_if_fail (CP_IS_INVOICE_MODEL (self));
  g_return_if_fail (status >= -1 && status < CP_N_INVOICE_STATUSES);
  g_return_if_fail (sort >= CP_INVOICE_SORT_NONE && sort < CP_INVOICE_N_SORTS);

  if (folded_needle != NULL && *folded_needle == '\0')
    folded_needle = NULL;
  descending = descending && sort != CP_INVOICE_SORT_NONE;
  if (status == self->status && sort == self->sort && descending == self->descending &&
      g_strcmp0 (folded_needle, self->needle) == 0)
    return;

  /* A longer needle with nothing else changed only narrows: the new view is
   * the shown one filtered again, cheaper than a pass over every row. */
  old_needle = self->needle != NULL ? self->needle : "";
  narrows = status == self->status && sort == self->sort && descending == self->descending &&
            folded_needle != NULL && strstr (folded_needle, old_needle) != NULL;

  self->status = status;
  g_free (self->needle);
  self->needle = g_strdup (folded_needle);
  self->sort = sort;
  self->descending = descending;
  if (narrows)
    make_view (self, self->view, self->n_view);
  else
    make_view (self, NULL, 0);
}

guint
cp_invoice_model_find (CpInvoiceModel *self,
                       gint64          id)
{
  g_return_val_if_fail (CP_IS_INVOICE_MODEL (self), G_MAXUINT);

  for (guint i = 0; i < self->n_view; i++)
    if (cp_invoice_index_get_id (self->index, self->view[i]) == id)
      return i;
  return G_MAXUINT;
}

gint64
cp_invoice_model_get_id (CpInvoiceModel *self,
                         guint           position)
{
  g_return_val_if_fail (CP_IS_INVOICE_MODEL (self), 0);
  g_return_val_if_fail (position < self->n_view, 0);

  return cp_invoice_index_get_id (self->index, self->view[position]);
}

guint
cp_invoice_model_get_n_cached (CpInvoiceModel *self)
{
  g_return_val_if_fail (CP_IS_INVOICE_MODEL (self), 0);

  return g_hash_table_size (self->slots);
}
