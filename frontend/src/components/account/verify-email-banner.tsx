"use client";

import { useState } from "react";
import { MailWarning } from "lucide-react";

import { outcome, verifyEmailCallback } from "@/components/providers/auth-provider";
import { Button } from "@/components/ui/button";
import { authClient } from "@/lib/auth-client";
import { accountProblem } from "@/lib/forms/server-errors";

type Sent = { ok: boolean; message: string };

/** Shown on every signed-in page until the address is verified; "Resend" emails a new link. */
export function VerifyEmailBanner({ email }: { email: string }) {
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<Sent | null>(null);

  async function resend() {
    setSending(true);
    const failure = await outcome(() =>
      authClient.sendVerificationEmail({ email, callbackURL: verifyEmailCallback() }),
    );
    setSending(false);
    setSent(
      failure
        ? { ok: false, message: accountProblem(failure).message }
        : { ok: true, message: `We sent a new link to ${email}. It is valid for 24 hours.` },
    );
  }

  return (
    <section
      aria-labelledby="verify-email-title"
      className="mb-4 flex flex-col gap-3 rounded-lg border border-warning/60 bg-warning/10 px-4 py-3 text-sm sm:flex-row sm:items-center"
    >
      <MailWarning className="size-5 shrink-0 text-foreground" aria-hidden />
      <div className="flex-1">
        <p id="verify-email-title" className="font-medium">
          Please verify your email address
        </p>
        <p className="text-muted-foreground">
          We sent a link to <span className="font-medium break-all text-foreground">{email}</span>. Open it to confirm
          the address is yours.
        </p>
        <p role="status" className={sent?.ok === false ? "mt-1 font-medium text-destructive" : "mt-1"}>
          {sent?.message}
        </p>
      </div>
      <Button variant="outline" size="sm" onClick={() => void resend()} disabled={sending}>
        {sending ? "Sending…" : "Resend"}
      </Button>
    </section>
  );
}
