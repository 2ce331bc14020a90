"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";

import { FormAlert } from "@/components/forms/form-alert";
import { FormField } from "@/components/forms/form-field";
import { outcome } from "@/components/providers/auth-provider";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CardContent, CardFooter } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { authClient } from "@/lib/auth-client";
import { forgotPasswordSchema, type ForgotPasswordValues } from "@/lib/forms/schemas";
import { accountProblem } from "@/lib/forms/server-errors";

/** Asks for a reset link. The answer is the same whether an account has the address or not. */
export function ForgotPasswordForm({ email = "" }: { email?: string }) {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const confirmation = useRef<HTMLDivElement>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<ForgotPasswordValues>({ resolver: zodResolver(forgotPasswordSchema), defaultValues: { email } });

  useEffect(() => {
    if (sentTo) confirmation.current?.focus();
  }, [sentTo]);

  const submit = handleSubmit(async (values) => {
    const failure = await outcome(() =>
      authClient.requestPasswordReset({ email: values.email, redirectTo: `${window.location.origin}/reset-password` }),
    );
    if (!failure) {
      setSentTo(values.email);
      return;
    }
    const problem = accountProblem(failure);
    if (problem.field === "email") setError("email", { message: problem.message }, { shouldFocus: true });
    else setError("root.server", { message: problem.message });
  });

  if (sentTo) {
    return (
      <>
        <CardContent>
          <Alert role="status" ref={confirmation} tabIndex={-1} className="outline-none">
            <AlertDescription>
              If an account uses <span className="font-medium break-all text-foreground">{sentTo}</span>, we have sent it
              a link to choose a new password. The link works once, for 1 hour. Nothing there? Check the spam folder,
              or ask again.
            </AlertDescription>
          </Alert>
        </CardContent>
        <CardFooter className="mt-6 flex-col gap-4">
          <Button variant="outline" className="w-full" onClick={() => setSentTo(null)}>
            Send another link
          </Button>
          <Link href="/login" className="text-sm font-medium underline underline-offset-4">
            Back to sign in
          </Link>
        </CardFooter>
      </>
    );
  }

  return (
    <form onSubmit={submit} aria-label="Reset your password" noValidate>
      <CardContent className="flex flex-col gap-4">
        <FormAlert message={errors.root?.server?.message} />
        <FormField id="email" label="Email" error={errors.email?.message}>
          {(control) => (
            <Input {...control} {...register("email")} type="email" autoComplete="email" placeholder="you@example.com" autoFocus />
          )}
        </FormField>
      </CardContent>
      <CardFooter className="mt-6 flex-col gap-4">
        <Button type="submit" className="w-full" disabled={isSubmitting}>
          {isSubmitting ? "Sending…" : "Email me a reset link"}
        </Button>
        <p className="text-sm text-muted-foreground">
          Remembered it?{" "}
          <Link href="/login" className="font-medium text-foreground underline underline-offset-4">
            Sign in
          </Link>
        </p>
      </CardFooter>
    </form>
  );
}
