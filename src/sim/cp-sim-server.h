/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "cp-sim-state.h"

G_BEGIN_DECLS

#define CP_TYPE_SIM_SERVER (cp_sim_server_get_type ())
G_DECLARE_FINAL_TYPE (CpSimServer, cp_sim_server, CP, SIM_SERVER, GObject)

CpSimServer *cp_sim_server_new             (CpSimState   *state,
                                            const char   *publishable_key);
/* Listens on 127.0.0.1:@port (0 picks a free port). */
gboolean     cp_sim_server_listen          (CpSimServer  *self,
                                            guint         port,
                                            GError      **error);
guint        cp_sim_server_get_port        (CpSimServer  *self);
const char  *cp_sim_server_get_base_url    (CpSimServer  *self);
CpSimState  *cp_sim_server_get_state       (CpSimServer  *self);

G_END_DECLS
