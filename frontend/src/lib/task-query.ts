import type { Priority, Task, TaskFilters, TaskSort } from "@/lib/api";
import { addDays, dueDateToInput } from "@/lib/tasks";

export const PAGE_SIZE = 25;

export const VIEWS = ["today", "upcoming", "overdue", "all"] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<View, string> = { today: "Today", upcoming: "Upcoming", overdue: "Overdue", all: "All" };

export type SortKey = `${TaskSort}:${"asc" | "desc"}`;
export type Status = "all" | "open" | "done";

/** What the tasks page shows; every field lives in the URL's query string (see `toSearchParams`). */
export interface TaskQuery {
  view: View;
  status: Status;
  priority: "all" | Priority;
  q: string;
  sort: SortKey;
  /** 0-based. */
  page: number;
}

export const SORT_OPTIONS: { value: SortKey; label: string }[] = [
  { value: "created_at:desc", label: "Newest first" },
  { value: "created_at:asc", label: "Oldest first" },
  { value: "due_date:asc", label: "Due date" },
  { value: "priority:desc", label: "Priority" },
  { value: "title:asc", label: "Title (A–Z)" },
];

/** Each view's natural order: dated views read soonest first. */
export const DEFAULT_SORT: Record<View, SortKey> = {
  today: "priority:desc",
  upcoming: "due_date:asc",
  overdue: "due_date:asc",
  all: "created_at:desc",
};

export const DEFAULT_VIEW: View = "all";

const STATUSES: readonly Status[] = ["all", "open", "done"];
const PRIORITY_VALUES: readonly TaskQuery["priority"][] = ["all", "high", "medium", "low"];

function oneOf<T extends string>(values: readonly T[], value: string | null, fallback: T): T {
  return values.includes(value as T) ? (value as T) : fallback;
}

/** Read the query string; anything unknown or malformed falls back to the default (a shared link never breaks). */
export function parseQuery(params: Pick<URLSearchParams, "get">): TaskQuery {
  const view = oneOf(VIEWS, params.get("view"), DEFAULT_VIEW);
  const page = Number.parseInt(params.get("page") ?? "", 10);
  return {
    view,
    status: view === "overdue" ? "open" : oneOf(STATUSES, params.get("status"), "all"),
    priority: oneOf(PRIORITY_VALUES, params.get("priority"), "all"),
    q: (params.get("q") ?? "").slice(0, 200),
    sort: oneOf(
      SORT_OPTIONS.map((o) => o.value),
      params.get("sort"),
      DEFAULT_SORT[view],
    ),
    // Shown 1-based, like a person counts pages.
    page: Number.isFinite(page) && page > 1 ? Math.min(page - 1, 100_000) : 0,
  };
}

/** The query string for a query, leaving out every default so links stay short. */
export function toSearchParams(query: TaskQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.view !== DEFAULT_VIEW) params.set("view", query.view);
  if (query.status !== "all" && query.view !== "overdue") params.set("status", query.status);
  if (query.priority !== "all") params.set("priority", query.priority);
  if (query.q.trim()) params.set("q", query.q.trim());
  if (query.sort !== DEFAULT_SORT[query.view]) params.set("sort", query.sort);
  if (query.page > 0) params.set("page", String(query.page + 1));
  return params;
}

/** The `/tasks` URL of a query. */
export function tasksHref(change: Partial<TaskQuery> = {}): string {
  const view = change.view ?? DEFAULT_VIEW;
  const defaults = parseQuery(new URLSearchParams({ view }));
  const query = toSearchParams({ ...defaults, ...change }).toString();
  return query ? `/tasks?${query}` : "/tasks";
}

/** The API filters for a query; the dated views are windows of calendar days around `today` (`YYYY-MM-DD`). */
export function toFilters(query: TaskQuery, today: string): TaskFilters {
  const [sort, order] = query.sort.split(":") as [TaskSort, "asc" | "desc"];
  const tomorrow = addDays(today, 1);
  const window: Record<View, Pick<TaskFilters, "due_from" | "due_before">> = {
    today: { due_from: today, due_before: tomorrow },
    upcoming: { due_from: tomorrow },
    overdue: { due_before: today },
    all: {},
  };
  return {
    completed: query.status === "all" ? undefined : query.status === "done",
    priority: query.priority === "all" ? undefined : query.priority,
    q: query.q.trim() || undefined,
    ...window[query.view],
    sort,
    order,
    limit: PAGE_SIZE,
    offset: query.page * PAGE_SIZE,
  };
}

/** Whether a task belongs in a list fetched with `filters` (for placing a new task before the server answers). */
export function matchesFilters(task: Task, filters: TaskFilters): boolean {
  if (filters.completed != null && task.completed !== filters.completed) return false;
  if (filters.priority && task.priority !== filters.priority) return false;
  if (filters.q) {
    const needle = filters.q.toLowerCase();
    if (!`${task.title}\n${task.description ?? ""}`.toLowerCase().includes(needle)) return false;
  }
  const due = dueDateToInput(task.due_date);
  if (filters.due_from && (!due || due < filters.due_from.slice(0, 10))) return false;
  if (filters.due_before && (!due || due >= filters.due_before.slice(0, 10))) return false;
  return true;
}

export function isFiltered(query: TaskQuery): boolean {
  return (query.status !== "all" && query.view !== "overdue") || query.priority !== "all" || query.q.trim() !== "";
}

/** "1 task", "3 tasks", or with filters on "1 task matches", "3 tasks match". */
export function describeCount(total: number, filtered: boolean): string {
  const noun = total === 1 ? "task" : "tasks";
  if (!filtered) return `${total} ${noun}`;
  return `${total} ${noun} ${total === 1 ? "matches" : "match"}`;
}
