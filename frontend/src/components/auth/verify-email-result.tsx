"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { CircleAlert, CircleCheck } from "lucide-react";

import { outcome, useAuth, verifyEmailCallback } from "@/components/providers/auth-provider";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CardContent, CardFooter } from "@/components/ui/card";
import { authClient } from "@/lib/auth-client";
import { accountProblem } from "@/lib/forms/server-errors";

/** What the API's `?error=` code on the verification link's landing means, in plain words. */
export function verifyEmailFailure(code: string): string {
  switch (code) {
    case "TOKEN_EXPIRED":
      return "This link has expired: a verification link works for 24 hours.";
    case "INVALID_USER":
      return "This link belongs to another account than the one signed in here. Sign out, then open it again.";
    case "USER_ALREADY_EXISTS":
      return "Another account uses that address now, so it cannot be yours.";
    default:
      return "This link is invalid or was already used.";
  }
}

/** The landing of the emailed verification link: verified, or why not, with a way to get a new link. */
export function VerifyEmailResult({ error }: { error: string | null }) {
  const { user, isPending } = useAuth();
  const [resent, setResent] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const heading = useRef<HTMLDivElement>(null);

  useEffect(() => heading.current?.focus(), []);

  async function resend(email: string) {
    setSending(true);
    const failure = await outcome(() => authClient.sendVerificationEmail({ email, callbackURL: verifyEmailCallback() }));
    setSending(false);
    setResent(failure ? accountProblem(failure).message : `We sent a new link to ${email}.`);
  }

  if (!error) {
    return (
      <>
        <CardContent>
          <Alert role="status" ref={heading} tabIndex={-1} className="outline-none">
            <CircleCheck aria-hidden />
            <AlertTitle>Your email is verified</AlertTitle>
            <AlertDescription>Thank you. Your address is confirmed.</AlertDescription>
          </Alert>
        </CardContent>
        <CardFooter className="mt-6 flex-col gap-4">
          <Button asChild className="w-full">
            <Link href="/tasks">Go to your tasks</Link>
          </Button>
        </CardFooter>
      </>
    );
  }

  const alreadyVerified = Boolean(user?.emailVerified);
  return (
    <>
      <CardContent className="flex flex-col gap-4">
        <Alert variant={alreadyVerified ? "default" : "destructive"} ref={heading} tabIndex={-1} className="outline-none">
          {alreadyVerified ? <CircleCheck aria-hidden /> : <CircleAlert aria-hidden />}
          <AlertTitle>{alreadyVerified ? "Your email is already verified" : "We could not verify your email"}</AlertTitle>
          <AlertDescription>
            {alreadyVerified ? "There is nothing more to do." : verifyEmailFailure(error)}
          </AlertDescription>
        </Alert>
        <p role="status" className="text-sm">
          {resent}
        </p>
      </CardContent>
      <CardFooter className="mt-6 flex-col gap-4">
        {user && !alreadyVerified ? (
          <Button className="w-full" onClick={() => void resend(user.email)} disabled={sending}>
            {sending ? "Sending…" : "Send a new link"}
          </Button>
        ) : null}
        {!user && !isPending ? (
          <p className="text-center text-sm text-muted-foreground">
            <Link href="/login?redirect=/settings" className="font-medium text-foreground underline underline-offset-4">
              Sign in
            </Link>{" "}
            to ask for a new link.
          </p>
        ) : null}
        {user ? (
          <Link href="/tasks" className="text-sm font-medium underline underline-offset-4">
            Go to your tasks
          </Link>
        ) : null}
      </CardFooter>
    </>
  );
}
