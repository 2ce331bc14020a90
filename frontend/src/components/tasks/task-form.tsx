"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useId } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod/mini";

import { FormAlert } from "@/components/forms/form-alert";
import { FormField } from "@/components/forms/form-field";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { TITLE_MAX, taskSchema, type TaskValues } from "@/lib/forms/schemas";
import type { ServerProblem } from "@/lib/forms/server-errors";
import { PRIORITIES, PRIORITY_LABELS } from "@/lib/tasks";

export type TaskField = keyof TaskValues;

interface TaskFormProps {
  values: TaskValues;
  submitLabel: string;
  onSubmit(values: TaskValues): void;
  onCancel(): void;
  /** A refusal from the server for these values, shown at its field when the form opens. */
  problem?: ServerProblem<TaskField> | null;
}

/** Every field of a task, for editing in place: Enter saves, Escape cancels. */
export function TaskForm({ values, submitLabel, onSubmit, onCancel, problem }: TaskFormProps) {
  const id = useId();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<z.input<typeof taskSchema>, unknown, TaskValues>({ resolver: zodResolver(taskSchema), defaultValues: values });

  useEffect(() => {
    if (!problem) return;
    if (problem.field) setError(problem.field, { message: problem.message }, { shouldFocus: true });
    else setError("root.server", { message: problem.message });
  }, [problem, setError]);

  return (
    <form
      onSubmit={handleSubmit(onSubmit)}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          onCancel();
        }
      }}
      aria-label={submitLabel}
      noValidate
      className="flex flex-col gap-3"
    >
      <FormAlert message={errors.root?.server?.message} />
      <FormField id={`${id}-title`} label="Title" error={errors.title?.message}>
        {(control) => <Input {...control} {...register("title")} maxLength={TITLE_MAX} autoFocus dir="auto" />}
      </FormField>
      <FormField
        id={`${id}-description`}
        label={
          <>
            Description <span className="font-normal text-muted-foreground">(optional)</span>
          </>
        }
        error={errors.description?.message}
      >
        {(control) => <Textarea {...control} {...register("description")} rows={2} dir="auto" />}
      </FormField>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
        <FormField id={`${id}-priority`} label="Priority" error={errors.priority?.message}>
          {(control) => (
            <Select {...control} {...register("priority")}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {PRIORITY_LABELS[p]}
                </option>
              ))}
            </Select>
          )}
        </FormField>
        <FormField id={`${id}-due`} label="Due date" error={errors.dueDate?.message}>
          {(control) => <Input {...control} {...register("dueDate")} type="date" />}
        </FormField>
        <div className="col-span-2 flex justify-end gap-2 sm:col-span-1">
          <Button type="button" variant="outline" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit">{submitLabel}</Button>
        </div>
      </div>
    </form>
  );
}
