"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";

import { FormAlert } from "@/components/forms/form-alert";
import { FormField } from "@/components/forms/form-field";
import { PasswordInput } from "@/components/forms/password-field";
import { PasswordStrength } from "@/components/forms/password-strength";
import { outcome } from "@/components/providers/auth-provider";
import { DEVICES_KEY } from "@/components/settings/devices-card";
import { Button } from "@/components/ui/button";
import { authClient } from "@/lib/auth-client";
import { changePasswordSchema, type ChangePasswordValues } from "@/lib/forms/schemas";
import { accountProblem } from "@/lib/forms/server-errors";

const EMPTY: ChangePasswordValues = { currentPassword: "", password: "", confirmPassword: "", signOutOthers: true };

/** Change the password (`changePassword`), signing out the other devices unless the box is cleared. */
export function ChangePasswordForm({ email, name }: { email: string; name: string }) {
  const queryClient = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    control,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<ChangePasswordValues>({ resolver: zodResolver(changePasswordSchema), defaultValues: EMPTY });
  const password = useWatch({ control, name: "password" });

  const submit = handleSubmit(async (values) => {
    setDone(null);
    const failure = await outcome(() =>
      authClient.changePassword({
        currentPassword: values.currentPassword,
        newPassword: values.password,
        revokeOtherSessions: values.signOutOthers,
      }),
    );
    if (!failure) {
      reset(EMPTY);
      setDone(values.signOutOthers ? "Your password is changed, and your other devices are signed out." : "Your password is changed.");
      await queryClient.invalidateQueries({ queryKey: DEVICES_KEY });
      return;
    }
    const problem = accountProblem(failure);
    if (problem.field === "currentPassword" || problem.field === "password") {
      setError(problem.field, { message: problem.message }, { shouldFocus: true });
    } else {
      setError("root.server", { message: problem.message });
    }
  });

  return (
    <form onSubmit={submit} aria-label="Change password" noValidate className="flex flex-col gap-4">
      <FormAlert message={errors.root?.server?.message} />
      <FormField id="current-password" label="Current password" error={errors.currentPassword?.message}>
        {(control) => <PasswordInput {...control} {...register("currentPassword")} autoComplete="current-password" />}
      </FormField>
      <FormField
        id="new-password"
        label="New password"
        error={errors.password?.message}
        hint={<PasswordStrength id="new-password-strength" password={password} userInputs={[email, name]} />}
      >
        {(control) => <PasswordInput {...control} {...register("password")} autoComplete="new-password" />}
      </FormField>
      <FormField id="confirm-new-password" label="Confirm new password" error={errors.confirmPassword?.message}>
        {(control) => <PasswordInput {...control} {...register("confirmPassword")} autoComplete="new-password" />}
      </FormField>
      <div className="flex items-center gap-3">
        <input
          id="sign-out-others"
          type="checkbox"
          {...register("signOutOthers")}
          className="size-6 shrink-0 accent-primary"
          aria-describedby="sign-out-others-hint"
        />
        <div>
          <label htmlFor="sign-out-others" className="text-sm font-medium">
            Sign out other devices
          </label>
          <p id="sign-out-others-hint" className="text-xs text-muted-foreground">
            Everywhere else you are signed in will have to sign in again with the new password.
          </p>
        </div>
      </div>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center">
        <Button type="submit" disabled={isSubmitting} className="self-start">
          {isSubmitting ? "Changing…" : "Change password"}
        </Button>
        <p role="status" className="text-sm text-muted-foreground">
          {done}
        </p>
      </div>
    </form>
  );
}
