"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useForm, useWatch } from "react-hook-form";
import type { z } from "zod/mini";

import { FormAlert } from "@/components/forms/form-alert";
import { FormField } from "@/components/forms/form-field";
import { PasswordInput } from "@/components/forms/password-field";
import { PasswordStrength } from "@/components/forms/password-strength";
import { useAuth } from "@/components/providers/auth-provider";
import { Button } from "@/components/ui/button";
import { CardContent, CardFooter } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NAME_MAX, signUpSchema, type SignUpValues } from "@/lib/forms/schemas";
import { authProblem } from "@/lib/forms/server-errors";

export function SignupForm() {
  const { signUp } = useAuth();
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    control,
    getValues,
    formState: { errors, isSubmitting },
  } = useForm<z.input<typeof signUpSchema>, unknown, SignUpValues>({
    resolver: zodResolver(signUpSchema),
    defaultValues: { name: "", email: "", password: "", confirmPassword: "" },
  });
  const [password, name, email] = useWatch({ control, name: ["password", "name", "email"] });
  const emailTaken = errors.email?.type === "taken";

  const submit = handleSubmit(async (values) => {
    const failure = await signUp(values.name, values.email, values.password);
    if (!failure) {
      router.replace("/tasks");
      return;
    }
    const problem = authProblem(failure);
    if (problem.field) {
      const type = problem.signInInstead ? "taken" : "server";
      setError(problem.field, { type, message: problem.message }, { shouldFocus: true });
    } else {
      setError("root.server", { message: problem.message });
    }
  });

  return (
    <form onSubmit={submit} aria-label="Create account" noValidate>
      <CardContent className="flex flex-col gap-4">
        <FormAlert message={errors.root?.server?.message} />
        <FormField
          id="name"
          label={
            <>
              Name <span className="font-normal text-muted-foreground">(optional)</span>
            </>
          }
          error={errors.name?.message}
        >
          {(control) => <Input {...control} {...register("name")} autoComplete="name" maxLength={NAME_MAX} autoFocus dir="auto" />}
        </FormField>
        <FormField
          id="email"
          label="Email"
          error={errors.email?.message}
          after={
            emailTaken && (
              <Link
                href={`/login?email=${encodeURIComponent(getValues("email"))}`}
                className="text-sm font-medium underline underline-offset-4"
              >
                Sign in instead
              </Link>
            )
          }
        >
          {(control) => (
            <Input {...control} {...register("email")} type="email" autoComplete="email" placeholder="you@example.com" />
          )}
        </FormField>
        <FormField
          id="password"
          label="Password"
          error={errors.password?.message}
          hint={<PasswordStrength id="password-strength" password={password} userInputs={[email, name]} />}
        >
          {(control) => <PasswordInput {...control} {...register("password")} autoComplete="new-password" />}
        </FormField>
        <FormField id="confirm-password" label="Confirm password" error={errors.confirmPassword?.message}>
          {(control) => <PasswordInput {...control} {...register("confirmPassword")} autoComplete="new-password" />}
        </FormField>
      </CardContent>
      <CardFooter className="mt-6 flex-col gap-4">
        <Button type="submit" className="w-full" disabled={isSubmitting}>
          {isSubmitting ? "Creating account…" : "Create account"}
        </Button>
        <p className="text-sm text-muted-foreground">
          Already have an account?{" "}
          <Link href="/login" className="font-medium text-foreground underline underline-offset-4">
            Sign in
          </Link>
        </p>
      </CardFooter>
    </form>
  );
}
