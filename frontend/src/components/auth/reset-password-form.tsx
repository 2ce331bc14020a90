"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { CircleCheck, CircleAlert } from "lucide-react";

import { FormAlert } from "@/components/forms/form-alert";
import { FormField } from "@/components/forms/form-field";
import { PasswordInput } from "@/components/forms/password-field";
import { PasswordStrength } from "@/components/forms/password-strength";
import { outcome, useAuth } from "@/components/providers/auth-provider";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CardContent, CardFooter } from "@/components/ui/card";
import { authClient } from "@/lib/auth-client";
import { resetPasswordSchema, type ResetPasswordValues } from "@/lib/forms/schemas";
import { accountProblem } from "@/lib/forms/server-errors";

/** The reset link's landing: a new password for the emailed token, or why the link cannot be used. */
export function ResetPasswordForm({ token }: { token: string | null }) {
  const { signOut } = useAuth();
  const [result, setResult] = useState<"done" | "invalid" | null>(token ? null : "invalid");
  const message = useRef<HTMLDivElement>(null);
  const {
    register,
    handleSubmit,
    setError,
    control,
    formState: { errors, isSubmitting },
  } = useForm<ResetPasswordValues>({
    resolver: zodResolver(resetPasswordSchema),
    defaultValues: { password: "", confirmPassword: "" },
  });
  const password = useWatch({ control, name: "password" });

  useEffect(() => {
    if (result) message.current?.focus();
  }, [result]);

  const submit = handleSubmit(async (values) => {
    const failure = await outcome(() => authClient.resetPassword({ newPassword: values.password, token: token ?? "" }));
    if (!failure) {
      // A reset signs the account out everywhere: drop this browser's (now dead) cookie too.
      await signOut().catch(() => undefined);
      setResult("done");
      return;
    }
    const problem = accountProblem(failure);
    if (problem.field === "token") setResult("invalid");
    else if (problem.field === "password") setError("password", { message: problem.message }, { shouldFocus: true });
    else setError("root.server", { message: problem.message });
  });

  if (result === "invalid") {
    return (
      <>
        <CardContent>
          <Alert variant="destructive" ref={message} tabIndex={-1} className="outline-none">
            <CircleAlert aria-hidden />
            <AlertTitle>This reset link cannot be used</AlertTitle>
            <AlertDescription>
              It is invalid, was already used, or has expired (a link works once, for 1 hour). Ask for a new one.
            </AlertDescription>
          </Alert>
        </CardContent>
        <CardFooter className="mt-6 flex-col gap-4">
          <Button asChild className="w-full">
            <Link href="/forgot-password">Request a new link</Link>
          </Button>
        </CardFooter>
      </>
    );
  }

  if (result === "done") {
    return (
      <>
        <CardContent>
          <Alert role="status" ref={message} tabIndex={-1} className="outline-none">
            <CircleCheck aria-hidden />
            <AlertTitle>Your password is changed</AlertTitle>
            <AlertDescription>For your safety, every device was signed out. Sign in with the new password.</AlertDescription>
          </Alert>
        </CardContent>
        <CardFooter className="mt-6 flex-col gap-4">
          <Button asChild className="w-full">
            <Link href="/login">Sign in</Link>
          </Button>
        </CardFooter>
      </>
    );
  }

  return (
    <form onSubmit={submit} aria-label="Choose a new password" noValidate>
      <CardContent className="flex flex-col gap-4">
        <FormAlert message={errors.root?.server?.message} />
        <FormField
          id="password"
          label="New password"
          error={errors.password?.message}
          hint={<PasswordStrength id="password-strength" password={password} userInputs={[]} />}
        >
          {(control) => <PasswordInput {...control} {...register("password")} autoComplete="new-password" autoFocus />}
        </FormField>
        <FormField id="confirm-password" label="Confirm new password" error={errors.confirmPassword?.message}>
          {(control) => <PasswordInput {...control} {...register("confirmPassword")} autoComplete="new-password" />}
        </FormField>
      </CardContent>
      <CardFooter className="mt-6 flex-col gap-4">
        <Button type="submit" className="w-full" disabled={isSubmitting}>
          {isSubmitting ? "Saving…" : "Set new password"}
        </Button>
      </CardFooter>
    </form>
  );
}
