# SPDX-License-Identifier: GPL-3.0-or-later
"""A local SMTP sink for CarePay's mail tests.

As an aiosmtpd handler:
    PYTHONPATH=tests python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink OUTDIR
Standalone, with AUTH (and STARTTLS, or implicit TLS with --smtps, when
given a certificate):
    python3 tests/smtp_sink.py --listen 127.0.0.1:PORT --dir OUTDIR \
        [--user U --password P] [--tlscert CERT --tlskey KEY [--smtps]]

Each message is written as OUTDIR/NNN.eml (the bytes received) and
OUTDIR/NNN.json: the envelope and what Python's own e-mail parser makes of
the message (decoded headers, every leaf part with its type and text), so the
C tests check the MIME against an independent parser.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import sys


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        os.makedirs(outdir, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        """aiosmtpd's command line passes its CLASSARGS here."""
        if len(args) != 1:
            parser.error("smtp_sink.Sink takes one argument: the output directory")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        n = len([f for f in os.listdir(self.outdir) if f.endswith(".eml")]) + 1
        base = os.path.join(self.outdir, "%03d" % n)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            entry = {
                "type": part.get_content_type(),
                "charset": part.get_content_charset(),
                "filename": part.get_filename(),
                "encoding": part.get("Content-Transfer-Encoding"),
            }
            if part.get_content_maintype() == "text":
                entry["text"] = part.get_content().replace("\r\n", "\n")
            else:
                entry["size"] = len(part.get_payload(decode=True) or b"")
            parts.append(entry)
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth": getattr(session, "authenticated", False),
            "tls": session.ssl is not None or (
                server.transport is not None
                and server.transport.get_extra_info("ssl_object") is not None),
            "subject": str(msg["subject"]),
            "raw_subject": _raw_header(raw, b"Subject"),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "message_id": str(msg["message-id"]),
            "content_type": msg.get_content_type(),
            "parts": parts,
            "defects": [type(d).__name__ for d in msg.defects],
        }
        tmp = base + ".json.tmp"
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False, indent=1)
        os.rename(tmp, base + ".json")
        return "250 Message accepted for delivery"


def _raw_header(raw, name):
    """The header as sent, with folding removed: to see the encoded words."""
    head = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(name.lower() + b":"):
            return line[len(name) + 1:].strip().decode("ascii", "replace")
    return None


def main():
    from aiosmtpd.smtp import SMTP, AuthResult

    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--tlscert")
    parser.add_argument("--tlskey")
    parser.add_argument("--smtps", action="store_true",
                        help="implicit TLS with --tlscert/--tlskey instead of STARTTLS")
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (args.user is not None and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        return AuthResult(success=ok, handled=False)

    tls_context = None
    if args.tlscert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tlscert, args.tlskey)

    handler = Sink(args.dir)

    starttls = tls_context if not args.smtps else None

    def factory():
        return SMTP(handler,
                    authenticator=authenticator if args.user else None,
                    auth_required=bool(args.user),
                    # with --smtps the whole connection is TLS, which aiosmtpd
                    # does not notice when it decides whether to offer AUTH
                    auth_require_tls=starttls is not None,
                    require_starttls=starttls is not None,
                    tls_context=starttls)

    async def serve():
        server = await asyncio.get_running_loop().create_server(
            factory, host, int(port), ssl=tls_context if args.smtps else None)
        print("listening", flush=True)
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
