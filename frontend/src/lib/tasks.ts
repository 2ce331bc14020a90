import type { Priority, Task } from "@/lib/api";

export const PRIORITIES: readonly Priority[] = ["high", "medium", "low"];

export const PRIORITY_LABELS: Record<Priority, string> = { low: "Low", medium: "Medium", high: "High" };

/**
 * Due dates are calendar days. We send midnight UTC of the chosen day and read back the UTC day,
 * which works whether the service stores a date or a timestamp.
 */
export function dueDateToInput(dueDate: string | null | undefined): string {
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

/** The day `days` after `day` (both `YYYY-MM-DD`), on the calendar: no time zone or DST involved. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The user's IANA time zone, which the stats count days in. */
export function userTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Open and due before today. */
export function isOverdue(task: Pick<Task, "completed" | "due_date">, today: string = todayKey()): boolean {
  const due = dueDateToInput(task.due_date);
  return !task.completed && due !== "" && due < today;
}

export type DueTone = "overdue" | "today" | "soon" | "later";

export interface DueLabel {
  /** "Today", "Tomorrow", "Friday", "Dec 24", "Overdue 3 days"… */
  text: string;
  /** The full date, for a tooltip and screen readers. */
  date: string;
  tone: DueTone;
}

const weekday = new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: "UTC" });
const monthDay = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const fullDate = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

/** "Dec 1" for a calendar day (`YYYY-MM-DD`). */
export function formatDay(day: string): string {
  return monthDay.format(new Date(`${day}T00:00:00Z`));
}

/** "Dec 1, 2026" for a due date, or "" for none. */
export function formatDueDate(dueDate: string | null | undefined): string {
  const day = dueDateToInput(dueDate);
  return day ? fullDate.format(new Date(`${day}T00:00:00Z`)) : "";
}

/** How a due date reads next to a task, relative to `today`; null without one. */
export function dueLabel(task: Pick<Task, "completed" | "due_date">, today: string = todayKey()): DueLabel | null {
  const day = dueDateToInput(task.due_date);
  if (!day) return null;
  const date = new Date(`${day}T00:00:00Z`);
  const full = fullDate.format(date);
  const offset = daysBetween(today, day);
  if (offset < 0 && !task.completed) {
    const late = -offset;
    return { text: `Overdue ${late} ${late === 1 ? "day" : "days"}`, date: full, tone: "overdue" };
  }
  if (offset === 0) return { text: "Today", date: full, tone: "today" };
  if (offset === 1) return { text: "Tomorrow", date: full, tone: "soon" };
  if (offset === -1) return { text: "Yesterday", date: full, tone: "later" };
  if (offset > 1 && offset < 7) return { text: weekday.format(date), date: full, tone: "soon" };
  const sameYear = day.slice(0, 4) === today.slice(0, 4);
  return { text: sameYear ? monthDay.format(date) : full, date: full, tone: "later" };
}
