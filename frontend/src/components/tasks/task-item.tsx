"use client";

import { useRef, useState } from "react";
import { Pencil, Trash2 } from "lucide-react";

import { TaskBadges } from "@/components/tasks/task-badges";
import { TaskForm } from "@/components/tasks/task-form";
import { Button } from "@/components/ui/button";
import { errorMessage, type CreateTaskInput, type Task } from "@/lib/api";
import { isOverdue } from "@/lib/tasks";
import { cn } from "@/lib/utils";

export interface TaskActions {
  toggle(task: Task): Promise<void>;
  update(task: Task, values: Required<CreateTaskInput>): Promise<void>;
  remove(task: Task): Promise<void>;
}

type Mode = "view" | "edit" | "confirm-delete";

export function TaskItem({ task, actions }: { task: Task; actions: TaskActions }) {
  const [mode, setMode] = useState<Mode>("view");
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);

  /** Back to the plain view, with keyboard focus where it was before editing. */
  function closeEditor() {
    setMode("view");
    requestAnimationFrame(() => editButton.current?.focus());
  }

  async function run(action: () => Promise<void>) {
    setError(null);
    setIsBusy(true);
    try {
      await action();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setIsBusy(false);
    }
  }

  if (mode === "edit") {
    return (
      <li className="rounded-xl border bg-card p-4 shadow-xs">
        <TaskForm
          task={task}
          submitLabel="Save changes"
          onSubmit={async (values) => {
            await actions.update(task, values);
            closeEditor();
          }}
          onCancel={closeEditor}
        />
      </li>
    );
  }

  return (
    <li
      className={cn(
        "flex gap-3 rounded-xl border bg-card p-4 shadow-xs",
        isOverdue(task) && "border-destructive/40",
        isBusy && "opacity-60",
      )}
      aria-busy={isBusy}
    >
      <input
        type="checkbox"
        checked={task.completed}
        onChange={() => run(() => actions.toggle(task))}
        disabled={isBusy}
        aria-label={task.completed ? `Mark “${task.title}” as not done` : `Mark “${task.title}” as done`}
        className="mt-0.5 size-5 shrink-0 cursor-pointer accent-primary"
      />
      <div className="flex min-w-0 flex-1 flex-col gap-2 sm:grid sm:grid-cols-[1fr_auto] sm:items-start sm:gap-x-4">
        <h3 className={cn("font-medium break-words", task.completed && "text-muted-foreground line-through")}>
          {task.title}
        </h3>
        <div className="order-last -ml-3 flex gap-1 sm:order-none sm:col-start-2 sm:row-start-1 sm:ml-0">
          {mode === "confirm-delete" ? (
            <>
              <Button size="sm" variant="outline" onClick={() => setMode("view")} disabled={isBusy} autoFocus>
                Keep
              </Button>
              <Button size="sm" variant="destructive" onClick={() => run(() => actions.remove(task))} disabled={isBusy}>
                Delete task
              </Button>
            </>
          ) : (
            <>
              <Button ref={editButton} size="sm" variant="ghost" onClick={() => setMode("edit")} disabled={isBusy}>
                <Pencil aria-hidden />
                Edit<span className="sr-only"> “{task.title}”</span>
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setMode("confirm-delete")} disabled={isBusy}>
                <Trash2 aria-hidden />
                Delete<span className="sr-only"> “{task.title}”</span>
              </Button>
            </>
          )}
        </div>
        {task.description && (
          <p className="text-sm break-words whitespace-pre-line text-muted-foreground sm:col-span-2">{task.description}</p>
        )}
        <TaskBadges task={task} className="sm:col-span-2" />
        {error && (
          <p role="alert" className="text-sm text-destructive sm:col-span-2">
            {error}
          </p>
        )}
      </div>
    </li>
  );
}
