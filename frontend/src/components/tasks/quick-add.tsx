"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from "react";
import { useForm, useWatch } from "react-hook-form";
import { ChevronDown, Plus } from "lucide-react";
import type { z } from "zod/mini";

import { FormAlert } from "@/components/forms/form-alert";
import { TASK_FIELDS, taskToValues, valuesToInput } from "@/components/tasks/task-values";
import type { TaskMutations } from "@/components/tasks/use-task-mutations";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { TITLE_MAX, taskSchema, type TaskValues } from "@/lib/forms/schemas";
import { apiProblem } from "@/lib/forms/server-errors";
import { PRIORITIES, PRIORITY_LABELS } from "@/lib/tasks";
import { cn } from "@/lib/utils";

export interface QuickAddHandle {
  focus(): void;
}

const draftKey = (userId: string) => `todo:quick-add:${userId}`;

/** What was being typed, kept for this tab so a failed add or a session that ended loses nothing. */
function readDraft(userId: string): Partial<TaskValues> | null {
  try {
    const draft = JSON.parse(sessionStorage.getItem(draftKey(userId)) ?? "null") as Partial<TaskValues> | null;
    return draft && typeof draft.title === "string" ? draft : null;
  } catch {
    return null;
  }
}

interface QuickAddProps {
  userId: string;
  mutations: TaskMutations;
  /** The due date a new task gets unless one is picked (today in the Today view). */
  defaultDueDate: string;
  ref?: Ref<QuickAddHandle>;
}

/**
 * One line to add a task: a title, and optionally a priority and a due date inline; "More" opens the
 * description. Enter adds and keeps focus here for the next one; the task shows at once (optimistic),
 * and if the server refuses it the text comes back with the reason at its field.
 */
export function QuickAdd({ userId, mutations, defaultDueDate, ref }: QuickAddProps) {
  const blank = taskToValues(undefined, defaultDueDate);
  const [more, setMore] = useState(false);
  const { register, handleSubmit, reset, setError, setValue, subscribe, getValues, control, formState } = useForm<
    z.input<typeof taskSchema>,
    unknown,
    TaskValues
  >({ resolver: zodResolver(taskSchema), defaultValues: blank });
  const errors = formState.errors;
  // A restored draft with a description shows it.
  const description = useWatch({ control, name: "description" });
  const open = more || Boolean(description);

  // Our own handle on the input: react-hook-form's setFocus stopped focusing once axe-core had run in the page.
  const titleInput = useRef<HTMLInputElement | null>(null);
  const titleField = register("title");
  useImperativeHandle(ref, () => ({ focus: () => titleInput.current?.focus() }), []);

  // Restore a draft once, then keep it in step with what is typed.
  useEffect(() => {
    const draft = readDraft(userId);
    if (draft?.title) {
      reset({ ...getValues(), ...draft });
    }
    return subscribe({
      formState: { values: true },
      callback: ({ values }) => {
        if (values.title || values.description) sessionStorage.setItem(draftKey(userId), JSON.stringify(values));
        else sessionStorage.removeItem(draftKey(userId));
      },
    });
  }, [userId, reset, getValues, subscribe]);

  // A new view's default due date, unless something is being typed.
  useEffect(() => {
    if (!getValues("title")) setValue("dueDate", defaultDueDate);
  }, [defaultDueDate, getValues, setValue]);

  async function add(values: TaskValues) {
    if (!userId) return; // the session check has not answered yet: keep the text
    reset(blank);
    titleInput.current?.focus();
    try {
      await mutations.create(valuesToInput(values));
    } catch (error) {
      reset(values);
      const problem = apiProblem(error, TASK_FIELDS);
      if (problem.field) setError(problem.field, { message: problem.message }, { shouldFocus: true });
      else setError("root.server", { message: problem.message });
    }
  }

  const titleError = errors.title?.message;
  return (
    <form
      onSubmit={(event) => void handleSubmit(add)(event)}
      onKeyDown={(event) => {
        if (event.key !== "Escape") return;
        event.preventDefault();
        reset(blank);
        setMore(false);
      }}
      aria-label="Add task"
      noValidate
      className="flex flex-col gap-2 rounded-xl border bg-card p-2 shadow-xs"
    >
      <FormAlert message={errors.root?.server?.message} />
      <div className="flex gap-2">
        <label htmlFor="quick-add-title" className="sr-only">
          New task title
        </label>
        <Input
          id="quick-add-title"
          {...titleField}
          ref={(element) => {
            titleField.ref(element);
            titleInput.current = element;
          }}
          placeholder="Add a task… (press n)"
          maxLength={TITLE_MAX}
          autoComplete="off"
          enterKeyHint="done"
          dir="auto"
          aria-invalid={Boolean(titleError)}
          aria-describedby={titleError ? "quick-add-title-error" : undefined}
          className="border-transparent shadow-none focus-visible:border-ring"
        />
        <Button type="submit" size="icon" aria-label="Add task" className="shrink-0">
          <Plus aria-hidden />
        </Button>
      </div>
      {titleError && (
        <p id="quick-add-title-error" className="px-1 text-sm font-medium text-destructive">
          {titleError}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor="quick-add-priority" className="sr-only">
          Priority
        </label>
        <Select id="quick-add-priority" {...register("priority")} className="h-9 w-auto text-sm">
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_LABELS[p]} priority
            </option>
          ))}
        </Select>
        <label htmlFor="quick-add-due" className="sr-only">
          Due date
        </label>
        <Input
          id="quick-add-due"
          type="date"
          {...register("dueDate")}
          aria-invalid={Boolean(errors.dueDate)}
          aria-describedby={errors.dueDate ? "quick-add-due-error" : undefined}
          className="h-9 w-auto text-sm"
        />
        <Button
          type="button"
          variant="ghost"
          size="sm"
          aria-expanded={open}
          aria-controls="quick-add-more"
          onClick={() => setMore(!open)}
          className="ml-auto text-muted-foreground"
        >
          More
          <ChevronDown className={cn("transition-transform", open && "rotate-180")} aria-hidden />
        </Button>
      </div>
      {errors.dueDate && (
        <p id="quick-add-due-error" className="px-1 text-sm font-medium text-destructive">
          {errors.dueDate.message}
        </p>
      )}
      <div id="quick-add-more" hidden={!open}>
        <label htmlFor="quick-add-description" className="mb-1 block px-1 text-sm font-medium">
          Description <span className="font-normal text-muted-foreground">(optional)</span>
        </label>
        <Textarea
          id="quick-add-description"
          {...register("description")}
          rows={2}
          dir="auto"
          aria-invalid={Boolean(errors.description)}
        />
      </div>
    </form>
  );
}
