"use client";

import { useRef, useState } from "react";
import { Flag, Pencil, Trash2 } from "lucide-react";

import { TaskForm, type TaskField } from "@/components/tasks/task-form";
import { TASK_FIELDS, taskToValues, valuesToInput } from "@/components/tasks/task-values";
import { isPending, type TaskMutations } from "@/components/tasks/use-task-mutations";
import { Button } from "@/components/ui/button";
import type { Task } from "@/lib/api";
import type { TaskValues } from "@/lib/forms/schemas";
import { apiProblem, type ServerProblem } from "@/lib/forms/server-errors";
import { dueLabel, PRIORITY_LABELS } from "@/lib/tasks";
import { cn } from "@/lib/utils";

const DUE_TONE = {
  overdue: "font-medium text-destructive",
  today: "font-medium text-success",
  soon: "text-foreground",
  later: "text-muted-foreground",
} as const;

const PRIORITY_TONE = { high: "text-destructive", medium: "text-warning", low: "text-muted-foreground" } as const;

/** The id of a task's checkbox, where focus goes when a neighbour is deleted or the task comes back. */
export const checkboxId = (task: Pick<Task, "id">) => `task-${task.id}-done`;

interface TaskItemProps {
  task: Task;
  today: string;
  mutations: TaskMutations;
  /** Called before the task leaves the list, to move focus somewhere sensible. */
  onDelete(task: Task): void;
}

/** One dense row: checkbox, title, priority and due date; edit in place; delete with undo. */
export function TaskItem({ task, today, mutations, onDelete }: TaskItemProps) {
  const [editing, setEditing] = useState<{ values: TaskValues; problem: ServerProblem<TaskField> | null } | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const pending = isPending(task);
  const due = dueLabel(task, today);

  function closeEditor() {
    setEditing(null);
    requestAnimationFrame(() => editButton.current?.focus());
  }

  function save(values: TaskValues) {
    closeEditor();
    mutations.edit(task, valuesToInput(values)).catch((error: unknown) => {
      // Reopen with what was typed, and the server's reason at its field.
      setEditing({ values, problem: apiProblem(error, TASK_FIELDS) });
    });
  }

  if (editing) {
    return (
      <li className="border-b bg-card px-3 py-3 last:border-b-0 sm:px-4">
        <TaskForm
          values={editing.values}
          problem={editing.problem}
          submitLabel="Save changes"
          onSubmit={save}
          onCancel={closeEditor}
        />
      </li>
    );
  }

  return (
    <li
      className="group flex items-start gap-3 border-b px-3 py-2.5 last:border-b-0 sm:px-4"
      aria-busy={pending || undefined}
    >
      <input
        id={checkboxId(task)}
        type="checkbox"
        checked={task.completed}
        onChange={() => mutations.toggle(task)}
        disabled={pending}
        aria-label={task.completed ? `Mark “${task.title}” as not done` : `Mark “${task.title}” as done`}
        className="mt-px size-6 shrink-0 cursor-pointer rounded accent-primary disabled:cursor-wait"
      />
      <div className="min-w-0 flex-1">
        <p
          dir="auto"
          className={cn(
            "text-start leading-6 break-words",
            task.completed && "text-muted-foreground line-through decoration-muted-foreground/60",
          )}
        >
          {task.title}
        </p>
        {task.description && (
          <p dir="auto" className="line-clamp-2 text-start text-sm break-words text-muted-foreground">
            {task.description}
          </p>
        )}
        <p className="mt-0.5 flex flex-wrap gap-x-3 gap-y-0.5 text-xs">
          <span className={cn("inline-flex items-center gap-1", PRIORITY_TONE[task.priority])}>
            <Flag className="size-3" aria-hidden />
            {PRIORITY_LABELS[task.priority]}
            <span className="sr-only"> priority</span>
          </span>
          {due && (
            <span className={DUE_TONE[due.tone]} title={due.date}>
              <span className="sr-only">Due: </span>
              {due.text}
            </span>
          )}
          {pending && <span className="text-muted-foreground">Saving…</span>}
        </p>
      </div>
      <div className="-my-1 -mr-1 flex shrink-0 gap-0.5">
        <Button
          ref={editButton}
          size="icon"
          variant="ghost"
          className="size-9 text-muted-foreground"
          onClick={() => setEditing({ values: taskToValues(task), problem: null })}
          disabled={pending}
          aria-label={`Edit “${task.title}”`}
        >
          <Pencil aria-hidden />
        </Button>
        <Button
          size="icon"
          variant="ghost"
          className="size-9 text-muted-foreground hover:text-destructive"
          onClick={() => onDelete(task)}
          disabled={pending}
          aria-label={`Delete “${task.title}”`}
        >
          <Trash2 aria-hidden />
        </Button>
      </div>
    </li>
  );
}
