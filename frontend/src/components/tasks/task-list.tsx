"use client";

import { checkboxId, TaskItem } from "@/components/tasks/task-item";
import type { TaskMutations } from "@/components/tasks/use-task-mutations";
import { StatusMessage } from "@/components/layout/status-message";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage, type Task, type TaskPage } from "@/lib/api";
import type { View } from "@/lib/task-query";

const EMPTY: Record<View, { title: string; text: string }> = {
  all: { title: "No tasks yet", text: "Add your first task above. It will show up here." },
  today: { title: "Nothing due today", text: "Tasks due today show up here; add one above." },
  upcoming: { title: "Nothing coming up", text: "Tasks due after today show up here, soonest first." },
  overdue: { title: "Nothing overdue", text: "Every open task is on time." },
};

interface TaskListProps {
  page: TaskPage | undefined;
  error: unknown;
  isFetching: boolean;
  view: View;
  today: string;
  isFiltered: boolean;
  onRetry(): void;
  onClearFilters(): void;
  mutations: TaskMutations;
  /** Where focus goes when the list runs out of tasks (the quick add). */
  focusFallback(): void;
}

/** The list with its loading, error and empty states. */
export function TaskList(props: TaskListProps) {
  const { page, error, isFetching, view, today, isFiltered, onRetry, onClearFilters, mutations, focusFallback } = props;

  if (error && !page) {
    return (
      <StatusMessage title="Your tasks could not be loaded" text={errorMessage(error)}>
        <Button variant="outline" onClick={onRetry}>
          Try again
        </Button>
      </StatusMessage>
    );
  }
  if (!page) {
    return (
      <div className="flex flex-col gap-2" aria-busy="true" aria-label="Loading tasks">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-12 w-full" />
        ))}
      </div>
    );
  }
  if (page.tasks.length === 0) {
    return isFiltered ? (
      <StatusMessage title="No matching tasks" text="Try another search, or clear the filters.">
        <Button variant="outline" onClick={onClearFilters}>
          Clear filters
        </Button>
      </StatusMessage>
    ) : (
      <StatusMessage {...EMPTY[view]} />
    );
  }

  /** Move focus to the next task (or the previous one, or the quick add) before this one leaves. */
  function deleteTask(task: Task) {
    const tasks = page!.tasks;
    const index = tasks.findIndex((t) => t.id === task.id);
    const neighbour = tasks[index + 1] ?? tasks[index - 1];
    mutations.remove(task, (restored) =>
      requestAnimationFrame(() => document.getElementById(checkboxId(restored))?.focus()),
    );
    requestAnimationFrame(() => {
      const target = neighbour && document.getElementById(checkboxId(neighbour));
      if (target) target.focus();
      else focusFallback();
    });
  }

  return (
    <ul
      className="overflow-hidden rounded-xl border bg-card shadow-xs transition-opacity aria-busy:opacity-70"
      aria-label="Tasks"
      aria-busy={isFetching}
    >
      {page.tasks.map((task) => (
        <TaskItem key={task.id} task={task} today={today} mutations={mutations} onDelete={deleteTask} />
      ))}
    </ul>
  );
}
