"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useForm, useWatch } from "react-hook-form";

import { FormAlert } from "@/components/forms/form-alert";
import { FormField } from "@/components/forms/form-field";
import { PasswordInput } from "@/components/forms/password-field";
import { useAuth } from "@/components/providers/auth-provider";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CardContent, CardFooter } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { signInSchema, type SignInValues } from "@/lib/forms/schemas";
import { authProblem } from "@/lib/forms/server-errors";

interface LoginFormProps {
  redirectTo: string;
  /** Why the user is here, when a session ended under them ("You were signed out on another device…"). */
  notice?: string | null;
  /** Prefilled, e.g. after "Sign in instead" on the sign-up form. */
  email?: string;
}

export function LoginForm({ redirectTo, notice, email = "" }: LoginFormProps) {
  const { signIn } = useAuth();
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    setFocus,
    control,
    formState: { errors, isSubmitting },
  } = useForm<SignInValues>({ resolver: zodResolver(signInSchema), defaultValues: { email, password: "" } });
  // "Forgot password?" carries the address typed so far.
  const typedEmail = useWatch({ control, name: "email" }).trim();

  const submit = handleSubmit(async (values) => {
    const failure = await signIn(values.email, values.password);
    if (!failure) {
      router.replace(redirectTo);
      return;
    }
    const problem = authProblem(failure);
    if (problem.field === "email" || problem.field === "password") {
      setError(problem.field, { message: problem.message }, { shouldFocus: true });
    } else {
      setError("root.server", { message: problem.message });
      // Wrong email or password: the password is the likelier typo, and is what to type again.
      setFocus("password", { shouldSelect: true });
    }
  });

  return (
    <form onSubmit={submit} aria-label="Sign in" noValidate>
      <CardContent className="flex flex-col gap-4">
        {notice && (
          <Alert role="status">
            <AlertDescription>{notice}</AlertDescription>
          </Alert>
        )}
        <FormAlert message={errors.root?.server?.message} />
        <FormField id="email" label="Email" error={errors.email?.message}>
          {(control) => (
            <Input {...control} {...register("email")} type="email" autoComplete="email" placeholder="you@example.com" autoFocus={!email} />
          )}
        </FormField>
        <FormField
          id="password"
          label="Password"
          error={errors.password?.message}
          after={
            <Link
              href={typedEmail ? `/forgot-password?email=${encodeURIComponent(typedEmail)}` : "/forgot-password"}
              className="justify-self-start text-sm font-medium underline underline-offset-4"
            >
              Forgot password?
            </Link>
          }
        >
          {(control) => (
            <PasswordInput {...control} {...register("password")} autoComplete="current-password" autoFocus={Boolean(email)} />
          )}
        </FormField>
      </CardContent>
      <CardFooter className="mt-6 flex-col gap-4">
        <Button type="submit" className="w-full" disabled={isSubmitting}>
          {isSubmitting ? "Signing in…" : "Sign in"}
        </Button>
        <p className="text-sm text-muted-foreground">
          No account yet?{" "}
          <Link href="/signup" className="font-medium text-foreground underline underline-offset-4">
            Create one
          </Link>
        </p>
      </CardFooter>
    </form>
  );
}
