import type { Priority, Task } from "@/lib/api";

export const PRIORITIES: readonly Priority[] = ["high", "medium", "low"];

export const PRIORITY_LABELS: Record<Priority, string> = { low: "Low", medium: "Medium", high: "High" };

/**
 * Due dates are calendar days. We send midnight UTC of the chosen day and read back the UTC day,
 * which works whether the service stores a date or a timestamp.
 */
export function dueDateToInput(dueDate: string | null): string {
  if (!dueDate) return "";
  const date = new Date(dueDate);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(0, 10);
}

/** The API value for a `<input type="date">` value (`YYYY-MM-DD`, or "" for none). */
export function inputToDueDate(value: string): string | null {
  return value ? `${value}T00:00:00Z` : null;
}

/** Today's date in the user's time zone, as `YYYY-MM-DD`. */
export function todayKey(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Open and due before today. */
export function isOverdue(task: Task, today: string = todayKey()): boolean {
  const due = dueDateToInput(task.due_date);
  return !task.completed && due !== "" && due < today;
}

const dueFormat = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

/** "Dec 1, 2026" for a due date, or "" for none. */
export function formatDueDate(dueDate: string | null): string {
  const day = dueDateToInput(dueDate);
  return day ? dueFormat.format(new Date(`${day}T00:00:00Z`)) : "";
}

export interface TaskStats {
  total: number;
  done: number;
  open: number;
  overdue: number;
  byPriority: Record<Priority, { total: number; open: number }>;
}

/** Counts for the dashboard. */
export function summarizeTasks(tasks: readonly Task[], today: string = todayKey()): TaskStats {
  const stats: TaskStats = {
    total: tasks.length,
    done: 0,
    open: 0,
    overdue: 0,
    byPriority: { high: { total: 0, open: 0 }, medium: { total: 0, open: 0 }, low: { total: 0, open: 0 } },
  };
  for (const task of tasks) {
    const bucket = stats.byPriority[task.priority];
    bucket.total += 1;
    if (task.completed) {
      stats.done += 1;
    } else {
      stats.open += 1;
      bucket.open += 1;
    }
    if (isOverdue(task, today)) stats.overdue += 1;
  }
  return stats;
}
