import type { Task, TaskFilters, TaskPage, UpdateTaskInput } from "@/lib/api";
import { matchesFilters } from "@/lib/task-query";

/** The query keys of the tasks data: everything of a user sits under `["tasks", userId]`. */
export const taskKeys = {
  all: (userId: string) => ["tasks", userId] as const,
  lists: (userId: string) => ["tasks", userId, "list"] as const,
  list: (userId: string, filters: TaskFilters) => ["tasks", userId, "list", filters] as const,
  stats: (userId: string, timeZone: string) => ["tasks", userId, "stats", timeZone] as const,
};

/** Put `task` in place of the task with its id (or with `id`, e.g. a placeholder's). */
export function replaceTask(page: TaskPage, task: Task, id: number = task.id): TaskPage {
  if (!page.tasks.some((t) => t.id === id)) return page;
  return { ...page, tasks: page.tasks.map((t) => (t.id === id ? task : t)) };
}

/** Add a new task at the top of the first page of a list it belongs in. */
export function prependTask(page: TaskPage, task: Task, filters: TaskFilters): TaskPage {
  if ((filters.offset ?? 0) > 0 || !matchesFilters(task, filters)) return page;
  return { tasks: [task, ...page.tasks], total: page.total + 1 };
}

/** Take a task out of a list; `index` says where it was (-1 if it was not there). */
export function removeTask(page: TaskPage, id: number): { page: TaskPage; index: number } {
  const index = page.tasks.findIndex((t) => t.id === id);
  if (index < 0) return { page, index };
  return { page: { tasks: page.tasks.filter((t) => t.id !== id), total: Math.max(0, page.total - 1) }, index };
}

/** Put a removed task back where it was. */
export function restoreTask(page: TaskPage, task: Task, index: number): TaskPage {
  if (index < 0 || page.tasks.some((t) => t.id === task.id)) return page;
  const tasks = [...page.tasks];
  tasks.splice(Math.min(index, tasks.length), 0, task);
  return { tasks, total: page.total + 1 };
}

/** What a task looks like the moment a change is made, before the server answers (`completed_at` as it would set it). */
export function applyChanges(task: Task, changes: UpdateTaskInput, now: Date = new Date()): Task {
  const next = { ...task } as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) next[key] = value;
  }
  if (changes.completed !== undefined && changes.completed !== null) {
    next.completed_at = changes.completed ? (task.completed_at ?? now.toISOString()) : null;
  }
  return next as unknown as Task;
}
