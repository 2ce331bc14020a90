"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Trash2 } from "lucide-react";

import { FormAlert } from "@/components/forms/form-alert";
import { FormField } from "@/components/forms/form-field";
import { PasswordInput } from "@/components/forms/password-field";
import { useAuth } from "@/components/providers/auth-provider";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { deleteAccountSchema, type DeleteAccountValues } from "@/lib/forms/schemas";
import { accountProblem } from "@/lib/forms/server-errors";

/** A full load: nothing of the deleted user stays in memory, and the app shell does not send us to /login. */
export function leaveToAccountDeleted() {
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full load is the point
  window.location.assign("/account-deleted");
}

/** "Delete account", confirmed in a dialog by the password (`deleteUser({password})`). */
export function DeleteAccountDialog() {
  const { deleteAccount } = useAuth();
  const [open, setOpen] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting, isSubmitSuccessful },
  } = useForm<DeleteAccountValues>({ resolver: zodResolver(deleteAccountSchema), defaultValues: { password: "" } });

  const submit = handleSubmit(async (values) => {
    const failure = await deleteAccount(values.password);
    if (!failure) {
      leaveToAccountDeleted();
      return;
    }
    const problem = accountProblem(failure);
    if (problem.field === "currentPassword" || problem.field === "password") {
      const message = problem.field === "currentPassword" ? "That is not your password." : problem.message;
      setError("password", { message }, { shouldFocus: true });
    } else {
      setError("root.server", { message: problem.message });
    }
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="destructive" className="self-start">
          <Trash2 aria-hidden />
          Delete account
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogTitle>Delete your account?</DialogTitle>
        <DialogDescription>
          Your account, all your tasks and every signed-in device go at once. This cannot be undone. Enter your
          password to confirm.
        </DialogDescription>
        <form onSubmit={submit} aria-label="Delete account" noValidate className="flex flex-col gap-4">
          <FormAlert message={errors.root?.server?.message} />
          <FormField id="delete-password" label="Password" error={errors.password?.message}>
            {(control) => <PasswordInput {...control} {...register("password")} autoComplete="current-password" autoFocus />}
          </FormField>
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" variant="destructive" disabled={isSubmitting || isSubmitSuccessful}>
              {isSubmitting || isSubmitSuccessful ? "Deleting…" : "Delete my account"}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
