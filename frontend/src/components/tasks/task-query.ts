import type { Priority, TaskFilters, TaskSort } from "@/lib/api";

export const PAGE_SIZE = 20;

/** What the tasks page shows: the filters as the controls hold them, plus the page number. */
export interface TaskQuery {
  status: "all" | "open" | "done";
  priority: "all" | Priority;
  q: string;
  sort: `${TaskSort}:${"asc" | "desc"}`;
  page: number;
}

export const DEFAULT_QUERY: TaskQuery = { status: "all", priority: "all", q: "", sort: "created_at:desc", page: 0 };

export const SORT_OPTIONS: { value: TaskQuery["sort"]; label: string }[] = [
  { value: "created_at:desc", label: "Newest first" },
  { value: "created_at:asc", label: "Oldest first" },
  { value: "due_date:asc", label: "Due date" },
  { value: "priority:desc", label: "Priority" },
  { value: "title:asc", label: "Title (A–Z)" },
];

export function toFilters(query: TaskQuery): TaskFilters {
  const [sort, order] = query.sort.split(":") as [TaskSort, "asc" | "desc"];
  return {
    completed: query.status === "all" ? undefined : query.status === "done",
    priority: query.priority === "all" ? undefined : query.priority,
    q: query.q.trim() || undefined,
    sort,
    order,
    limit: PAGE_SIZE,
    offset: query.page * PAGE_SIZE,
  };
}

export function isFiltered(query: TaskQuery): boolean {
  return query.status !== "all" || query.priority !== "all" || query.q.trim() !== "";
}

/** "1 task", "3 tasks", or with filters on "1 task matches", "3 tasks match". */
export function describeCount(total: number, filtered: boolean): string {
  const noun = total === 1 ? "task" : "tasks";
  if (!filtered) return `${total} ${noun}`;
  return `${total} ${noun} ${total === 1 ? "matches" : "match"}`;
}
