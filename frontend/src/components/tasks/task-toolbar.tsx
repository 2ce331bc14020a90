"use client";

import { useEffect, useState } from "react";
import { Search } from "lucide-react";

import { SORT_OPTIONS, type TaskQuery } from "@/components/tasks/task-query";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { PRIORITIES, PRIORITY_LABELS } from "@/lib/tasks";

const SEARCH_DELAY_MS = 300;

type Filters = Omit<TaskQuery, "page">;

/** Search, status, priority and sort controls; `onChange` gets the changed fields. */
export function TaskToolbar({ query, onChange }: { query: Filters; onChange(change: Partial<Filters>): void }) {
  const [search, setSearch] = useState(query.q);

  useEffect(() => {
    if (search === query.q) return;
    const timer = setTimeout(() => onChange({ q: search }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, query.q, onChange]);

  return (
    <div className="grid grid-cols-2 gap-3 sm:grid-cols-[2fr_1fr_1fr_1fr]" role="search">
      <div className="col-span-2 grid gap-1.5 sm:col-span-1">
        <Label htmlFor="task-search">Search</Label>
        <div className="relative">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input
            id="task-search"
            type="search"
            placeholder="Title or description"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="pl-9"
          />
        </div>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="task-status">Status</Label>
        <Select
          id="task-status"
          value={query.status}
          onChange={(e) => onChange({ status: e.target.value as Filters["status"] })}
        >
          <option value="all">All</option>
          <option value="open">Open</option>
          <option value="done">Done</option>
        </Select>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="task-priority">Priority</Label>
        <Select
          id="task-priority"
          value={query.priority}
          onChange={(e) => onChange({ priority: e.target.value as Filters["priority"] })}
        >
          <option value="all">All</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_LABELS[p]}
            </option>
          ))}
        </Select>
      </div>
      <div className="col-span-2 grid gap-1.5 sm:col-span-1">
        <Label htmlFor="task-sort">Sort by</Label>
        <Select id="task-sort" value={query.sort} onChange={(e) => onChange({ sort: e.target.value as Filters["sort"] })}>
          {SORT_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </Select>
      </div>
    </div>
  );
}
