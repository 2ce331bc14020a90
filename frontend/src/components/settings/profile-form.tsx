"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { FormAlert } from "@/components/forms/form-alert";
import { FormField } from "@/components/forms/form-field";
import { outcome } from "@/components/providers/auth-provider";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { authClient } from "@/lib/auth-client";
import { NAME_MAX, profileSchema, type ProfileValues } from "@/lib/forms/schemas";
import { accountProblem } from "@/lib/forms/server-errors";

/** Edit the display name (`updateUser`); the session store refetches, so the header shows it at once. */
export function ProfileForm({ name }: { name: string }) {
  const [saved, setSaved] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting, isDirty },
    reset,
  } = useForm<ProfileValues>({ resolver: zodResolver(profileSchema), values: { name } });

  const submit = handleSubmit(async (values) => {
    setSaved(false);
    const failure = await outcome(() => authClient.updateUser({ name: values.name }));
    if (!failure) {
      reset(values);
      setSaved(true);
      return;
    }
    const problem = accountProblem(failure);
    if (problem.field === "name") setError("name", { message: problem.message }, { shouldFocus: true });
    else setError("root.server", { message: problem.message });
  });

  return (
    <form onSubmit={submit} aria-label="Profile" noValidate className="flex flex-col gap-4">
      <FormAlert message={errors.root?.server?.message} />
      <FormField id="profile-name" label="Name" error={errors.name?.message}>
        {(control) => (
          <Input
            {...control}
            {...register("name", { onChange: () => setSaved(false) })}
            autoComplete="name"
            maxLength={NAME_MAX}
            dir="auto"
          />
        )}
      </FormField>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={isSubmitting || !isDirty}>
          {isSubmitting ? "Saving…" : "Save name"}
        </Button>
        <p role="status" className="text-sm text-muted-foreground">
          {saved ? "Saved." : ""}
        </p>
      </div>
    </form>
  );
}
