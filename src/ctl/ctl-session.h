/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-ledger.h"
#include "ctl.h"

G_BEGIN_DECLS

/* What the commands that talk to Stripe share: the store, a Stripe client
 * configured from the environment and the global options, the ledger over
 * both and, for money commands, the member of staff named by --as. */
typedef struct {
  CpSqliteStore  *store;
  CpStripeClient *client;
  CpLedger       *ledger;
  CpStaff        *staff;
} CtlSession;

/* The Stripe configuration from the environment, with --api-base and
 * --secret-key over it. */
CpStripeConfig *ctl_stripe_config        (CtlContext  *ctx);

/* Opens the store (read-write), signs in when `with_staff`, and makes the
 * client (which needs a secret key) and the ledger. */
gboolean        ctl_session_open         (CtlContext  *ctx,
                                          gboolean     with_staff,
                                          CtlSession  *session,
                                          GError     **error);
/* ctl_session_open with staff, then the invoice numbered `number`. */
CpInvoice      *ctl_session_open_invoice (CtlContext  *ctx,
                                          CtlSession  *session,
                                          const char  *number,
                                          GError     **error);
void            ctl_session_clear        (CtlSession  *session);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CtlSession, ctl_session_clear)

G_END_DECLS
